using System.Text;

namespace ClawEdge.Tests.Interop;

/// <summary>TLS with certificate pinning, against the real gateway's own TLS and through a recording TLS terminator.</summary>
[ClassDataSource<SharedGateway>(Shared = SharedType.PerTestSession)]
public class TlsTests(SharedGateway shared)
{
    private static string Colons(string hex) => "sha256:" + string.Join(':', Enumerable.Range(0, 32).Select(i => hex.Substring(i * 2, 2).ToUpperInvariant()));

    [Test]
    public async Task Real_tls_gateway_right_pin_connects_wrong_pin_refuses_and_pin_command_recovers()
    {
        await using var gateway = await RealGateway.StartAsync(tls: true);
        string pin = gateway.Fingerprint();

        // Wrong pin first (a renewed certificate): no connection, and the log names both fingerprints.
        string wrong = new string(pin.Reverse().ToArray());
        await using var node = EdgeNode.Start(gateway, extraArgs: ["--tls-fingerprint", wrong]);
        var line = await node.Process.WaitForLineAsync("fingerprint mismatch", TimeSpan.FromSeconds(30));
        await Assert.That(line).Contains($"pinned sha256:{wrong}");
        await Assert.That(line).Contains($"presented sha256:{pin}");
        await Assert.That(line).Contains($"clawedge pin {pin}");
        await Assert.That(node.Process.Output).DoesNotContain("connected to");
        string id = await node.DeviceIdAsync();
        await Assert.That(await gateway.NodeStatusAsync(id)).IsNull();
        await node.StopAsync();

        // Re-pinning is one local command; the colon/upper-case spelling is accepted.
        var (file, args) = EdgeNode.Command(false, ["pin", Colons(pin), "--state-dir", node.StateDir]);
        var (code, output) = await ChildProcess.RunAsync(file, args);
        await Assert.That(code).IsEqualTo(0).Because(output);

        await using var repinned = EdgeNode.Start(gateway, node.StateDir, extraArgs: ["--tls-fingerprint", wrong]);
        var connected = await repinned.WaitConnectedAsync();
        await Assert.That(connected).Contains("wss://127.0.0.1");
        await repinned.ApproveSurfaceAsync(gateway);
        var which = await EdgeNode.InvokeAsync(gateway, id, "system.which", """{"bins":["sh"]}""");
        await Assert.That((string?)which["payload"]!["bins"]!["sh"]).IsNotNull();
    }

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

    [Test]
    public async Task Wrong_pin_sends_no_byte_through_tls_right_pin_does()
    {
        await using var proxy = new TlsRecordingProxy(shared.Gateway.Port);
        string wrong = new string('0', 64);
        var (file, args) = EdgeNode.Command(false, ["run", "--host", "127.0.0.1", "--port", proxy.Port.ToString(), "--tls-fingerprint", wrong,
            "--state-dir", Tools.TempDir("pin"), "--once-connected-exit", "--timeout", "6"]);
        var (code, output) = await ChildProcess.RunAsync(file, args, new Dictionary<string, string?>
        {
            ["OPENCLAW_GATEWAY_TOKEN"] = RealGateway.Token, ["CLAWEDGE_Gateway__MaxBackoffMs"] = "1000",
        });
        await Assert.That(code).IsEqualTo(1);
        await Assert.That(output).Contains($"presented sha256:{proxy.Fingerprint}");
        await Assert.That(proxy.TcpConnections).IsGreaterThanOrEqualTo(2); // it kept retrying…
        await Assert.That(proxy.Plaintext.Length).IsEqualTo(0);            // …and never sent a byte inside TLS

        (file, args) = EdgeNode.Command(false, ["run", "--host", "127.0.0.1", "--port", proxy.Port.ToString(), "--tls-fingerprint", proxy.Fingerprint,
            "--state-dir", Tools.TempDir("pin"), "--once-connected-exit", "--timeout", "20"]);
        (code, output) = await ChildProcess.RunAsync(file, args, new Dictionary<string, string?> { ["OPENCLAW_GATEWAY_TOKEN"] = RealGateway.Token });
        await Assert.That(code).IsEqualTo(0).Because(output);
        string seen = Encoding.UTF8.GetString(proxy.Plaintext);
        await Assert.That(seen).StartsWith("GET /");
        // The witness works: after the upgrade, the (masked) connect frame with the token passed through it.
        int upgradeEnd = seen.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        await Assert.That(proxy.Plaintext.Length - upgradeEnd).IsGreaterThan(500);
    }

    [Test]
    public async Task Plaintext_to_a_public_host_is_refused_before_connecting()
    {
        var (file, args) = EdgeNode.Command(false, ["run", "--host", "192.0.2.10", "--state-dir", Tools.TempDir("plain")]);
        var (code, output) = await ChildProcess.RunAsync(file, args, new Dictionary<string, string?> { ["OPENCLAW_GATEWAY_TOKEN"] = RealGateway.Token }, TimeSpan.FromSeconds(10));
        await Assert.That(code).IsEqualTo(2);
        await Assert.That(output).Contains("refusing plaintext ws:// to 192.0.2.10");
    }
}
