using System.Text.Json.Nodes;
using ClawEdge.Exec;
using ClawEdge.Host;

using ClawEdge.Platform.Native;

using ClawEdge.Platform;

using ClawEdge.Notify;

namespace ClawEdge.Tests.Approvals;

public class SystemCommandsTests
{
    private static async Task<CommandResult> Call(NodeCommand command, string paramsJson)
        => await new CommandRegistry([command]).DispatchAsync(new InvokeContext { Id = "t", Command = command.Name, ParamsJson = paramsJson }, CancellationToken.None);

    [Test]
    public async Task Prepare_pins_the_executable_and_canonicalizes_the_cwd_like_trace_06()
    {
        using var bed = new ExecTestBed("/usr/bin/uname");
        string linked = Path.Combine(bed.Dir, "cwd-link");
        Directory.CreateSymbolicLink(linked, "/tmp");
        // Trace 06 params: {"command":["uname","-s"],"cwd":"/tmp","agentId":"main","sessionKey":"agent:main:main"}
        var result = await Call(new SystemRunPrepareCommand(bed.Store), $$"""{"command":["uname","-s"],"cwd":"{{linked}}","agentId":"main","sessionKey":"agent:main:main"}""");
        var payload = JsonNode.Parse(result.PayloadJson!)!;
        string uname = ExecutableResolver.RealPath("/usr/bin/uname")!;
        await Assert.That(payload["plan"]!["argv"]!.ToJsonString()).IsEqualTo($"[\"{uname}\",\"-s\"]");
        await Assert.That((string?)payload["plan"]!["cwd"]).IsEqualTo("/tmp");
        await Assert.That((string?)payload["plan"]!["commandText"]).IsEqualTo($"{uname} -s");
        await Assert.That((string?)payload["plan"]!["sessionKey"]).IsEqualTo("agent:main:main");
        await Assert.That((string?)payload["execPolicy"]!["security"]).IsEqualTo("allowlist");

        var missing = await Call(new SystemRunPrepareCommand(bed.Store), """{"command":["no-such-binary-ce"]}""");
        await Assert.That(missing.ErrorMessage).IsEqualTo("SYSTEM_RUN_DENIED: approval requires a stable executable path");
    }

    [Test]
    public async Task Notify_without_a_session_bus_logs_and_says_so()
    {
        if (Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS") is { Length: > 0 })
            return; // a desktop session: the other delivery applies
        var ok = await Call(new SystemNotifyCommand(), """{"title":"Hi","body":"Test","priority":"timeSensitive","delivery":"system"}""");
        await Assert.That(ok.PayloadJson).IsEqualTo("""{"ok":true,"delivered":"log"}""");
        var empty = await Call(new SystemNotifyCommand(), """{"title":" ","body":""}""");
        await Assert.That(empty.ErrorMessage).IsEqualTo("INVALID_REQUEST: empty notification");
    }
}

public class SpawnInteropLayoutTests
{
    [Test]
    public async Task Pollfd_matches_the_kernel_layout()
    {
        // struct pollfd { int fd; short events; short revents; } — identical on x86-64 and aarch64.
        await Assert.That(System.Runtime.InteropServices.Marshal.SizeOf<ClawEdge.Platform.Native.Libc.PollFd>()).IsEqualTo(8);
        await Assert.That((int)System.Runtime.InteropServices.Marshal.OffsetOf<ClawEdge.Platform.Native.Libc.PollFd>(nameof(ClawEdge.Platform.Native.Libc.PollFd.Events))).IsEqualTo(4);
        await Assert.That((int)System.Runtime.InteropServices.Marshal.OffsetOf<ClawEdge.Platform.Native.Libc.PollFd>(nameof(ClawEdge.Platform.Native.Libc.PollFd.Revents))).IsEqualTo(6);
    }
}
