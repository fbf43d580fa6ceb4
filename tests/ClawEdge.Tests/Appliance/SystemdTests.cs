using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Appliance;

/// <summary>The unit file as systemd reads it, and the sd_notify protocol as systemd receives it.</summary>
public class SystemdTests
{
    [Test]
    public async Task Unit_passes_systemd_analyze_verify()
    {
        string root = Appliance.StageRoot(Tools.BinX64);
        // verify needs the targets the unit names (sysinit, multi-user, network-online): the host's units.
        foreach (var unit in Directory.GetFiles("/usr/lib/systemd/system", "*.target"))
            File.Copy(unit, Path.Combine(root, "usr/lib/systemd/system", Path.GetFileName(unit)), overwrite: true);
        var (code, output) = await ChildProcess.RunAsync("systemd-analyze",
            ["verify", "--man=no", $"--root={root}", "/usr/lib/systemd/system/clawedge.service"]);
        // verify exits 0 on mere warnings (an unknown value is "ignoring"): any output is a failure here.
        await Assert.That(output.Trim()).IsEqualTo("");
        await Assert.That(code).IsEqualTo(0);

        // And it does look at the root: without the binary it fails.
        File.Delete(Path.Combine(root, "usr/bin/clawedge"));
        var (missing, why) = await ChildProcess.RunAsync("systemd-analyze",
            ["verify", "--man=no", $"--root={root}", "/usr/lib/systemd/system/clawedge.service"]);
        await Assert.That(missing).IsNotEqualTo(0);
        await Assert.That(why).Contains("/usr/bin/clawedge");
        Directory.Delete(root, recursive: true);
    }

    [Test]
    public async Task Ready_only_after_hello_ok_then_watchdog_while_healthy()
    {
        // Explicit device approval holds the node before hello-ok for as long as the test wants.
        await using var gateway = await RealGateway.StartAsync(JsonNode.Parse("""{"gateway":{"nodes":{"pairing":{"autoApproveLocal":false}}}}""")!.AsObject());
        string dir = Tools.TempDir("notify");
        string socketPath = Path.Combine(dir, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var messages = new ConcurrentQueue<(long AtMs, string Text)>();
        var clock = Stopwatch.StartNew();
        using var stopReading = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (!stopReading.IsCancellationRequested)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, stopReading.Token);
                messages.Enqueue((clock.ElapsedMilliseconds, Encoding.UTF8.GetString(buffer, 0, n)));
            }
        });

        await using var node = EdgeNode.Start(gateway, environment: new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = socketPath,
            ["WATCHDOG_USEC"] = "1000000", // ping every 0.5 s while healthy
            ["WATCHDOG_PID"] = null,
        });
        await node.Process.WaitForLineAsync("openclaw devices approve ", TimeSpan.FromSeconds(60));
        // Held at pairing for a while: STATUS lines, never READY, never WATCHDOG.
        await Task.Delay(2500);
        var before = messages.ToArray();
        await Assert.That(before.Any(m => m.Text.Contains("STATUS=PairingRequired"))).IsTrue();
        await Assert.That(before.Any(m => m.Text.Contains("READY=1") || m.Text.Contains("WATCHDOG=1"))).IsFalse();

        long approvedAt = clock.ElapsedMilliseconds;
        await node.PairAsync(gateway);
        var ready = await WaitForAsync(messages, "READY=1", TimeSpan.FromSeconds(30));
        await Assert.That(ready.AtMs).IsGreaterThan(approvedAt);
        await Assert.That(ready.Text).Contains("STATUS=Connected");
        await Assert.That(messages.Count(m => m.Text.Contains("READY=1"))).IsEqualTo(1);

        // Healthy link: pings at half the interval.
        await Task.Delay(2500);
        var pings = messages.Where(m => m.Text == "WATCHDOG=1" && m.AtMs > ready.AtMs).ToList();
        await Assert.That(pings.Count).IsGreaterThanOrEqualTo(3);

        // Gateway gone: the link is unhealthy, the pings stop and STATUS says why.
        await gateway.KillAsync();
        await WaitForAsync(messages, "STATUS=Disconnected", TimeSpan.FromSeconds(30));
        await Task.Delay(1200); // let a ping already in flight land
        long quietFrom = clock.ElapsedMilliseconds;
        await Task.Delay(2000);
        await Assert.That(messages.Any(m => m.Text == "WATCHDOG=1" && m.AtMs > quietFrom)).IsFalse();

        await node.StopAsync();
        await Task.Delay(200);
        await Assert.That(messages.Any(m => m.Text.Contains("STOPPING=1"))).IsTrue();
        await stopReading.CancelAsync();
        try { await reader; } catch (OperationCanceledException) { }
        Directory.Delete(dir, recursive: true);
    }

    private static async Task<(long AtMs, string Text)> WaitForAsync(ConcurrentQueue<(long AtMs, string Text)> messages, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var m in messages)
                if (m.Text.Contains(text, StringComparison.Ordinal))
                    return m;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no notify message with {text}; got: {string.Join(" | ", messages.Select(m => m.Text))}");
    }
}
