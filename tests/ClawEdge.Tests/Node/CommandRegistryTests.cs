using ClawEdge.Host;

namespace ClawEdge.Tests.Node;

public class CommandRegistryTests
{
    private sealed class Probe(Func<InvokeContext, CancellationToken, Task<CommandResult>> body) : NodeCommand
    {
        public override string Name => "test.probe";
        public override string Capability => "test";
        public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken) => body(context, cancellationToken);
    }

    private static InvokeContext Context(string command = "test.probe", int timeoutMs = 5000, int maxPayload = 1000) =>
        new() { Id = "i1", Command = command, TimeoutMs = timeoutMs, MaxPayloadBytes = maxPayload };

    [Test]
    public async Task Unknown_command_is_an_invalid_request()
    {
        var registry = new CommandRegistry([]);
        var result = await registry.DispatchAsync(Context("nope"), CancellationToken.None);
        await Assert.That(result).IsEqualTo(CommandResult.Failure(ErrorCodes.InvalidRequest, "unknown command: nope"));
    }

    [Test]
    public async Task Coded_error_exception_and_timeout_each_become_one_result()
    {
        var coded = new CommandRegistry([new Probe((_, _) => throw new CommandException("CAMERA_DISABLED", "off"))]);
        await Assert.That((await coded.DispatchAsync(Context(), CancellationToken.None)).ErrorCode).IsEqualTo("CAMERA_DISABLED");

        var crash = new CommandRegistry([new Probe((_, _) => throw new InvalidOperationException("boom"))]);
        var crashed = await crash.DispatchAsync(Context(), CancellationToken.None);
        await Assert.That(crashed.ErrorCode).IsEqualTo(ErrorCodes.Unavailable);
        await Assert.That(crashed.ErrorMessage).Contains("boom");

        var slow = new CommandRegistry([new Probe(async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return CommandResult.Success("{}"); })]);
        var timedOut = await slow.DispatchAsync(Context(timeoutMs: 50), CancellationToken.None);
        await Assert.That(timedOut.ErrorCode).IsEqualTo(ErrorCodes.Timeout);

        using var cancel = new CancellationTokenSource(50);
        var cancelled = await slow.DispatchAsync(Context(), cancel.Token);
        await Assert.That(cancelled.ErrorCode).IsEqualTo(ErrorCodes.Unavailable);
    }

    [Test]
    public async Task Oversized_payload_is_refused_before_sending()
    {
        var big = new CommandRegistry([new Probe((_, _) => Task.FromResult(CommandResult.Success("\"" + new string('x', 2000) + "\"")))]);
        var result = await big.DispatchAsync(Context(maxPayload: 1000), CancellationToken.None);
        await Assert.That(result.ErrorCode).IsEqualTo(ErrorCodes.PayloadTooLarge);
    }

    [Test]
    public async Task Bad_params_are_an_invalid_request()
    {
        var which = new CommandRegistry([new ClawEdge.Exec.SystemWhichCommand()]);
        foreach (var json in (string?[])[null, "{}", "{\"bins\":[]}", "{\"bins\":5}", "[1,"])
        {
            var result = await which.DispatchAsync(new InvokeContext { Id = "x", Command = "system.which", ParamsJson = json }, CancellationToken.None);
            await Assert.That(result.ErrorCode).IsEqualTo(ErrorCodes.InvalidRequest);
        }
    }
}
