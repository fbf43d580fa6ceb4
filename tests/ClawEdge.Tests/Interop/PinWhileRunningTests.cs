namespace ClawEdge.Tests.Interop;

/// <summary>
/// Issue 9's renewal story against the real TLS gateway: the certificate changes under a running node, the owner
/// re-pins with <c>clawedge pin</c>, and the same process reconnects and keeps the new pin through its own status writes.
/// Its own gateway only (it restarts it), so no shared fixture.
/// </summary>
public class PinWhileRunningTests
{
    [Test]
    public async Task Pin_set_while_the_node_runs_reaches_it_at_the_next_reconnect_and_is_kept()
    {
        await using var gateway = await RealGateway.StartAsync(tls: true);
        string a = gateway.Fingerprint();
        await using var node = EdgeNode.Start(gateway, environment: new Dictionary<string, string?>
        {
            ["CLAWEDGE_Gateway__MaxBackoffMs"] = "2000", ["CLAWEDGE_Node__StatsIntervalSeconds"] = "5",
        });
        string id = await node.ConnectAndApproveAsync(gateway);
        int pid = node.Process.Pid;

        // The certificate is renewed: the gateway makes itself a new one at its next start.
        string tls = Path.GetDirectoryName(gateway.CertificatePath)!;
        foreach (var pem in Directory.GetFiles(tls, "*.pem"))
            File.Delete(pem);
        int before = node.Process.LineCount;
        await gateway.RestartAsync();
        string b = gateway.Fingerprint();
        await Assert.That(b).IsNotEqualTo(a);
        var refused = await node.Process.WaitForLineAsync("fingerprint mismatch", TimeSpan.FromSeconds(60), before);
        await Assert.That(refused).Contains($"pinned sha256:{a}");
        await Assert.That(refused).Contains($"presented sha256:{b}");

        // The owner re-pins with the node still running (as under systemd), and does not restart it.
        int pinned = node.Process.LineCount;
        var (file, args) = EdgeNode.Command(false, ["pin", b, "--state-dir", node.StateDir]);
        var (code, output) = await ChildProcess.RunAsync(file, args);
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That(output).Contains("at its next reconnect");
        // Within the backoff cap (2 s) plus a TLS handshake and connect on a loaded machine.
        await node.WaitConnectedAsync(TimeSpan.FromSeconds(20), pinned);
        await Assert.That(node.Process.HasExited).IsFalse();
        await Assert.That(node.Process.Pid).IsEqualTo(pid);
        await gateway.WaitForNodeAsync(id, n => (bool?)n["connected"] == true, TimeSpan.FromSeconds(30));
        var which = await EdgeNode.InvokeAsync(gateway, id, "system.which", """{"bins":["sh"]}""");
        await Assert.That((string?)which["payload"]!["bins"]!["sh"]).IsNotNull();

        // Further status writes (hello, stats, a lost and regained link) keep the new pin in node.json.
        int again = node.Process.LineCount;
        await gateway.RestartAsync();
        await node.WaitConnectedAsync(TimeSpan.FromSeconds(30), again);
        await Task.Delay(TimeSpan.FromSeconds(6)); // past one stats interval
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(node.StateDir, "node.json")))!;
        await Assert.That((string?)state["pinnedFingerprint"]).IsEqualTo(b);
        await Assert.That((string?)state["lastConnect"]!["state"]).IsEqualTo("connected");
        await Assert.That(node.Process.Output).Contains($"the pin for wss://127.0.0.1:{gateway.Port}/ is now sha256:{b}");
    }
}
