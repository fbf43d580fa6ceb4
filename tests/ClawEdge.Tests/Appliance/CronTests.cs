using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Appliance;

/// <summary>
/// Cron as a deployment: `clawedge run` every minute is harmless while a node runs (exit 0 at once),
/// and `clawedge run --once-connected-exit` is a health check, of the running node when there is one.
/// </summary>
public class CronTests
{
    [Test]
    public async Task Extra_starts_exit_0_and_the_health_check_follows_the_running_node()
    {
        await using var gateway = await RealGateway.StartAsync();
        await using var node = EdgeNode.Start(gateway);
        await node.WaitConnectedAsync();
        var env = new Dictionary<string, string?> { ["OPENCLAW_GATEWAY_TOKEN"] = RealGateway.Token, ["JOURNAL_STREAM"] = null };
        string[] target = ["--host", "127.0.0.1", "--port", gateway.Port.ToString(), "--state-dir", node.StateDir];

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (extra, extraOutput) = await ChildProcess.RunAsync(Tools.BinX64, ["run", .. target], env);
        await Assert.That(extra).IsEqualTo(0);
        await Assert.That(extraOutput).Contains($"already running (pid {node.Process.Pid})");
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(10));

        var (healthy, healthyOutput) = await ChildProcess.RunAsync(Tools.BinX64, ["run", .. target, "--once-connected-exit", "--timeout", "20"], env);
        await Assert.That(healthy).IsEqualTo(0).Because(healthyOutput);
        await Assert.That(healthyOutput).Contains("the running node is connected");

        // The gateway goes away: the running node records it, and the health check says so.
        int from = node.Process.LineCount;
        await gateway.KillAsync();
        await node.Process.WaitForLineAsync("gateway link lost", TimeSpan.FromSeconds(30), from);
        await Task.Delay(500);
        var (sick, sickOutput) = await ChildProcess.RunAsync(Tools.BinX64, ["run", .. target, "--once-connected-exit", "--timeout", "20"], env);
        await Assert.That(sick).IsEqualTo(1).Because(sickOutput);
        await Assert.That(sickOutput).Contains("the running node is not connected");
    }

    [Test]
    public async Task Health_check_without_a_running_node_times_out_with_exit_1()
    {
        string state = Tools.TempDir("cron");
        var (code, output) = await ChildProcess.RunAsync(Tools.BinX64,
            ["run", "--host", "127.0.0.1", "--port", Tools.FreePort().ToString(), "--state-dir", state, "--once-connected-exit", "--timeout", "3"],
            new Dictionary<string, string?> { ["OPENCLAW_GATEWAY_TOKEN"] = RealGateway.Token, ["JOURNAL_STREAM"] = null }, TimeSpan.FromSeconds(30));
        await Assert.That(code).IsEqualTo(1).Because(output);
        await Assert.That(output).Contains("not connected before the timeout");
        Directory.Delete(state, recursive: true);
    }
}
