using System.Text.Json.Nodes;

namespace ClawEdge.Tests.Interop;

/// <summary>Pairing from scratch, describe and invoke, all through the real gateway and its CLI.</summary>
public class PairingTests
{
    private static JsonObject ExplicitApproval() => JsonNode.Parse("""{"gateway":{"nodes":{"pairing":{"autoApproveLocal":false}}}}""")!.AsObject();

    [Test]
    public async Task Pairs_from_scratch_then_serves_system_which()
    {
        await using var gateway = await RealGateway.StartAsync(ExplicitApproval());
        await using var node = EdgeNode.Start(gateway);
        string deviceId = await node.DeviceIdAsync();

        // The node names the exact command to run, then pairs without a restart.
        await node.PairAsync(gateway);
        var status = await gateway.WaitForNodeAsync(deviceId, n => (bool?)n["connected"] == true && (string?)n["approvalState"] == "approved", TimeSpan.FromSeconds(30));
        await Assert.That((string?)status!["clientId"]).IsEqualTo("node-host");
        await Assert.That((string?)status["platform"]).IsEqualTo("linux");

        var describe = await gateway.CliJsonAsync("nodes", "describe", "--node", deviceId);
        await Assert.That(describe.ToJsonString()).Contains("system.which");

        var which = await EdgeNode.InvokeAsync(gateway, deviceId, "system.which", """{"bins":["sh","ls","definitely-not-a-binary-ce"]}""");
        var bins = which["payload"]!["bins"]!.AsObject();
        await Assert.That((string?)bins["sh"]).IsEqualTo(ClawEdge.Platform.ExecutableResolver.Find("sh"));
        await Assert.That(bins.ContainsKey("ls")).IsTrue();
        await Assert.That(bins.ContainsKey("definitely-not-a-binary-ce")).IsFalse();

        // Host stats reach the operator's view.
        var withStats = await gateway.WaitForNodeAsync(deviceId, n => n["hostStats"] is not null, TimeSpan.FromSeconds(30));
        await Assert.That((int)withStats!["hostStats"]!["cpuCount"]!).IsEqualTo(System.Environment.ProcessorCount);
    }
}
