using System.Text.Json;

namespace ClawEdge.Tests.Interop;

/// <summary>Staying connected: restarts, the single-instance lock, a clean stop, the arm64 binary.</summary>
[ClassDataSource<SharedGateway>(Shared = SharedType.PerTestSession)]
public class LinkTests(SharedGateway shared)
{
    [Test]
    public async Task Reconnects_after_gateway_restart_with_same_identity_and_no_repairing()
    {
        await using var gateway = await RealGateway.StartAsync();
        await using var node = EdgeNode.Start(gateway);
        string id = await node.ConnectAndApproveAsync(gateway);

        int before = node.Process.LineCount;
        await gateway.KillAsync();
        await node.Process.WaitForLineAsync("gateway link lost", TimeSpan.FromSeconds(30), before);
        var down = DateTime.UtcNow;
        await gateway.RestartAsync();
        var up = DateTime.UtcNow;

        // Backoff cap for this node is 4 s (EdgeNode sets Gateway:MaxBackoffMs); allow handshake time on top.
        var line = await node.WaitConnectedAsync(TimeSpan.FromSeconds(4 + 10), before);
        await Assert.That(line).Contains("auth device-token");
        var reconnected = DateTime.UtcNow;
        await Assert.That(reconnected - up).IsLessThan(TimeSpan.FromSeconds(14));

        // Same device, still approved: no new pairing or surface request appeared.
        var status = await gateway.WaitForNodeAsync(id, n => (bool?)n["connected"] == true, TimeSpan.FromSeconds(20));
        await Assert.That((string?)status!["approvalState"]).IsEqualTo("approved");
        string after = string.Join('\n', node.Process.Output.Split('\n').Skip(before));
        await Assert.That(after).DoesNotContain("awaits approval").Because(node.Process.Output);
        await Assert.That(after).DoesNotContain("pairing required");
        var which = await EdgeNode.InvokeAsync(gateway, id, "system.which", """{"bins":["sh"]}""");
        await Assert.That(which["payload"]!["bins"]!["sh"]).IsNotNull();
        _ = down;
    }

    [Test]
    public async Task Second_instance_exits_zero_while_the_first_holds_the_lock()
    {
        await using var first = EdgeNode.Start(shared.Gateway);
        await first.WaitConnectedAsync();
        var (file, args) = EdgeNode.Command(false, ["run", "--port", shared.Gateway.Port.ToString(), "--state-dir", first.StateDir]);
        var started = DateTime.UtcNow;
        var (code, output) = await ChildProcess.RunAsync(file, args, new Dictionary<string, string?> { ["OPENCLAW_GATEWAY_TOKEN"] = RealGateway.Token }, TimeSpan.FromSeconds(10));
        await Assert.That(code).IsEqualTo(0);
        await Assert.That(output).Contains($"already running (pid {first.Process.Pid})");
        await Assert.That(DateTime.UtcNow - started).IsLessThan(TimeSpan.FromSeconds(5));
        await Assert.That(first.Process.HasExited).IsFalse();
    }

    [Test]
    public async Task Sigterm_closes_cleanly_and_exits_zero()
    {
        var (node, id) = await shared.StartApprovedNodeAsync();
        await using (node)
        {
            var (file, args) = EdgeNode.Command(false, ["status", "--state-dir", node.StateDir]);
            var (statusCode, status) = await ChildProcess.RunAsync(file, args);
            await Assert.That(statusCode).IsEqualTo(0);
            await Assert.That(status).Contains($"device id        {id}");
            await Assert.That(status).Contains($"running, pid {node.Process.Pid}");
            await Assert.That(status).Contains("stored (paired)");
            await Assert.That(status).DoesNotContain(RealGateway.Token);

            int code = await node.StopAsync();
            await Assert.That(code).IsEqualTo(0);
            await Assert.That(node.Process.Output).Contains("stopped");
            var gone = await shared.Gateway.WaitForNodeAsync(id, n => (bool?)n["connected"] == false, TimeSpan.FromSeconds(15));
            await Assert.That(gone).IsNotNull();
            // A stopped node keeps its identity and token for the next start.
            var saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(node.StateDir, "node.json"))).RootElement;
            await Assert.That(saved.GetProperty("deviceTokens").EnumerateObject().Count()).IsEqualTo(1);
        }
    }

    [Test]
    public async Task Arm64_binary_under_qemu_connects_and_answers_system_which()
    {
        var (node, id) = await shared.StartApprovedNodeAsync(arm64: true);
        await using (node)
        {
            var which = await EdgeNode.InvokeAsync(shared.Gateway, id, "system.which", """{"bins":["sh","no-such-bin-ce"]}""", 30000);
            await Assert.That((string?)which["payload"]!["bins"]!["sh"]).IsNotNull();
            await Assert.That(which["payload"]!["bins"]!.AsObject().ContainsKey("no-such-bin-ce")).IsFalse();
            var describe = await shared.Gateway.CliJsonAsync("nodes", "describe", "--node", id);
            await Assert.That(describe.ToJsonString()).Contains("system.which");
        }
    }

    [Test]
    public async Task Sigterm_lets_a_running_invoke_finish_and_deliver_its_result()
    {
        string state = Tools.TempDir("drain");
        var (file, args) = EdgeNode.Command(false, ["approvals", "allow", "/usr/bin/sleep", "--state-dir", state]);
        var (allowCode, allowOutput) = await ChildProcess.RunAsync(file, args);
        await Assert.That(allowCode).IsEqualTo(0).Because(allowOutput);

        await using var node = EdgeNode.Start(shared.Gateway, state);
        string id = await node.ConnectAndApproveAsync(shared.Gateway);

        string call = $$"""{"nodeId":"{{id}}","command":"system.run","params":{"command":["/usr/bin/sleep","3"]},"idempotencyKey":"drain-{{Guid.NewGuid():N}}","timeoutMs":30000}""";
        await using var caller = ChildProcess.Start(Tools.NodeExe, [Tools.OpenClawEntry, "gateway", "call", "node.invoke", "--params", call, "--json",
            "--url", shared.Gateway.Url, "--token", RealGateway.Token], shared.Gateway.Environment());

        // SIGTERM once the child is running under the node.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Directory.EnumerateDirectories("/proc").Any(d => IsSleepChildOf(d, node.Process.Pid)))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("system.run never started:\n" + node.Process.Output + "\n" + caller.Output);
            await Task.Delay(50);
        }
        node.Process.Signal(Mono.SIGTERM);

        int exit = await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Assert.That(exit).IsEqualTo(0);
        await Assert.That(node.Process.Output).Contains("waiting for 1 running invoke(s) before closing");
        await caller.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Assert.That(caller.Output).Contains("\"exitCode\": 0");
        await Assert.That(caller.Output).Contains("\"success\": true");
    }

    private static bool IsSleepChildOf(string procDir, int parent)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(procDir, "stat"));
            int close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            // The node executes the verified descriptor (/dev/fd/N), so comm is the descriptor number: match argv[0].
            string argv0 = File.ReadAllText(Path.Combine(procDir, "cmdline")).Split('\0')[0];
            return argv0.EndsWith("sleep", StringComparison.Ordinal) && int.Parse(fields[1]) == parent;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return false;
        }
    }
}
