using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;
using ClawEdge.Tests.Media;

namespace ClawEdge.Tests.Canvas;

/// <summary>
/// Canvas:AttachPort: the node drives a kiosk Chromium someone else started with a DevTools port on 127.0.0.1 (here the
/// test), with canvas.eval off. The test clicks an A2UI button through DevTools <c>Input.dispatchMouseEvent</c>, as a
/// person would, and the gateway receives the node's <c>agent.request</c>.
/// </summary>
[NotInParallel(nameof(CanvasAttachTests))]
public class CanvasAttachTests
{
    [Test]
    public async Task A_button_press_on_an_attached_kiosk_reaches_the_gateway_as_agent_request_and_eval_is_not_declared()
    {
        await using var x = await XvfbServer.StartAsync(800, 600, "#404040");
        int port = Tools.FreePort();
        string profile = Tools.TempDir("kiosk-profile");
        await using var kiosk = ChildProcess.Start("chromium",
        [
            $"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1", $"--user-data-dir={profile}", "--no-sandbox",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-gpu",
            "--kiosk", "--ozone-platform=x11", "about:blank",
        ], new Dictionary<string, string?> { ["DISPLAY"] = x.Display, ["WAYLAND_DISPLAY"] = null });
        await WaitForPortAsync(port);

        await using var gateway = await RealGateway.StartAsync(CanvasPages.GatewayConfig());
        await using var node = EdgeNode.Start(gateway, environment: new Dictionary<string, string?>
        {
            ["DISPLAY"] = x.Display,
            ["CLAWEDGE_Canvas__Enabled"] = "true",
            ["CLAWEDGE_Canvas__AttachPort"] = port.ToString(),
        });
        string nodeId = await node.ConnectAndApproveAsync(gateway);
        await node.Process.WaitForLineAsync("canvas: browser ready", TimeSpan.FromSeconds(60));

        // AllowEval off: not among the declared commands, and the gateway will not forward it.
        var status = await gateway.NodeStatusAsync(nodeId);
        var commands = status!["commands"]!.AsArray().Select(c => (string?)c).ToArray();
        await Assert.That(commands).Contains("canvas.present");
        await Assert.That(commands).DoesNotContain("canvas.eval");
        var (evalCode, evalOutput) = await gateway.CliAsync("nodes", "invoke", "--node", nodeId, "--command", "canvas.eval", "--params", """{"javaScript":"1"}""");
        await Assert.That(evalCode).IsNotEqualTo(0).Because(evalOutput);

        var (code, output) = await gateway.CliAsync("nodes", "invoke", "--node", nodeId, "--command", "canvas.a2ui.pushJSONL",
            "--params", new JsonObject { ["jsonl"] = A2uiSamples.BoardJsonl }.ToJsonString(), "--json");
        await Assert.That(code).IsEqualTo(0).Because(output);

        await using var devtools = await TestDevTools.ConnectToPageAsync(port);
        var text = (string?)await devtools.EvaluateAsync(A2uiSamples.DeepTextScript);
        await Assert.That(text).Contains("Check in");
        var centre = (await devtools.EvaluateAsync(A2uiSamples.ButtonCentreScript))!.AsArray();
        int fromLine = gateway.Log.Split('\n').Length;
        await devtools.ClickAsync((double)centre[0]!, (double)centre[1]!);

        await node.Process.WaitForLineAsync("canvas: A2UI button press sent to the agent: A2UI action checkin: {\"desk\":\"front\"}", TimeSpan.FromSeconds(20));
        var seen = await WaitForGatewayAsync(gateway, nodeId, fromLine);
        Console.WriteLine($"gateway saw: {seen}");
        await Assert.That(seen).Contains(nodeId);
    }

    private static async Task WaitForPortAsync(int port)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await http.GetStringAsync($"http://127.0.0.1:{port}/json/version");
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>
    /// The gateway's side of agent.request: it accepts the node.event and starts an agent run in the node's session
    /// (<c>node-&lt;nodeId&gt;</c>) with the message. Here the run fails for want of a model, which the gateway logs
    /// against that session: the press reached the agent's door. (The message text itself is asserted on the node's
    /// side, where it is sent; the gateway does not log it.)
    /// </summary>
    private static async Task<string> WaitForGatewayAsync(RealGateway gateway, string nodeId, int fromLine)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var since = gateway.Log.Split('\n').Skip(fromLine).ToList();
            bool accepted = since.Any(l => l.Contains("res ✓ node.event", StringComparison.Ordinal));
            var run = since.FirstOrDefault(l => l.Contains($"session:agent:main:node-{nodeId}", StringComparison.Ordinal) || l.Contains($"agent failed node={nodeId}", StringComparison.Ordinal));
            if (accepted && run is not null)
                return run.Trim();
            await Task.Delay(500);
        }
        throw new TimeoutException($"the gateway shows no trace of the agent.request; its log since the click:\n{string.Join('\n', gateway.Log.Split('\n').Skip(fromLine))}");
    }
}
