using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClawEdge.Tests.Interop;

/// <summary>One-step pairing with a real node-profile setup code, even with local auto-approval off.</summary>
public class SetupCodeTests
{
    [Test]
    public async Task Pair_with_setup_code_then_reconnect_with_device_token_only()
    {
        await using var gateway = await RealGateway.StartAsync(JsonNode.Parse("""{"gateway":{"nodes":{"pairing":{"autoApproveLocal":false}}}}""")!.AsObject());
        var minted = await gateway.CliJsonAsync("gateway", "call", "device.pair.setupCode", "--params",
            $$"""{"bootstrapProfile":"node","publicUrl":"{{gateway.Url}}","includeQr":false}""");
        string code = (string)minted["setupCode"]!;

        // No shared token, no host flags: everything comes from the code.
        string state = Tools.TempDir("pair");
        var (file, args) = EdgeNode.Command(false, ["run", "--pair", "oc-pair://" + code, "--state-dir", state, "--display-name", "ce-setup"]);
        await using (var node = ChildProcess.Start(file, args, new Dictionary<string, string?> { ["OPENCLAW_GATEWAY_TOKEN"] = null }))
        {
            var line = await node.WaitForLineAsync("connected to", TimeSpan.FromSeconds(60));
            await Assert.That(line).Contains("auth bootstrap-token");
            await Assert.That(node.Output).DoesNotContain("awaits approval"); // the node profile approves the surface too
            node.Signal(Mono.SIGTERM);
            await node.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        // The bootstrap token is never written down; the endpoint and device token are.
        string saved = File.ReadAllText(Path.Combine(state, "node.json"));
        string bootstrap = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(code)).RootElement.GetProperty("bootstrapToken").GetString()!;
        await Assert.That(saved).DoesNotContain(bootstrap);
        await Assert.That(saved).Contains($"\"port\": {gateway.Port}");

        // A plain restart (as systemd or cron would do) reuses the saved endpoint and the device token.
        (file, args) = EdgeNode.Command(false, ["run", "--state-dir", state]);
        await using var again = ChildProcess.Start(file, args, new Dictionary<string, string?> { ["OPENCLAW_GATEWAY_TOKEN"] = null });
        var second = await again.WaitForLineAsync("connected to", TimeSpan.FromSeconds(60));
        await Assert.That(second).Contains("auth device-token");

        // The code was single-use: a second redemption by a fresh device is refused with a clear message.
        (file, args) = EdgeNode.Command(false, ["run", "--pair", code, "--state-dir", Tools.TempDir("pair2"), "--once-connected-exit", "--timeout", "15"]);
        var (exit, output) = await ChildProcess.RunAsync(file, args, new Dictionary<string, string?> { ["OPENCLAW_GATEWAY_TOKEN"] = null });
        await Assert.That(exit).IsEqualTo(1);
        await Assert.That(output).Contains("setup code was already used or has expired");
    }
}
