using ClawEdge.Tests.Interop;
using ClawEdge.Tests.Media;

namespace ClawEdge.Tests.Canvas;

/// <summary>
/// The canvas on a headless sway (wlroots) through Chromium's Wayland backend: the node runs as the compositor's own
/// user (sway refuses root, and its socket admits only its owner), drives its own Chromium, and screen.snapshot reads
/// the output through wlr-screencopy.
/// </summary>
[NotInParallel(nameof(CanvasWaylandTests))]
public class CanvasWaylandTests
{
    [Test]
    public async Task Present_and_navigate_show_on_the_sway_output()
    {
        string pages = CanvasPages.Create();
        await using var sway = await SwayServer.StartAsync(640, 480, "#404040");
        await using var gateway = await RealGateway.StartAsync(CanvasPages.GatewayConfig());
        string stateDir = await SwayServer.UserDirAsync("wlcanvas");
        try
        {
            await using var node = EdgeNode.StartAsUser(SwayServer.User, gateway, stateDir, new Dictionary<string, string?>
            {
                ["HOME"] = stateDir,
                ["XDG_RUNTIME_DIR"] = sway.RuntimeDir,
                ["WAYLAND_DISPLAY"] = sway.SocketName,
                ["DISPLAY"] = null,
                ["CLAWEDGE_Canvas__Enabled"] = "true",
                ["CLAWEDGE_Canvas__FilesDirectory"] = pages,
                // This container has no user namespaces for Chromium's sandbox; a kiosk image has them.
                ["CLAWEDGE_Canvas__BrowserArgs__0"] = "--no-sandbox",
                ["CLAWEDGE_Canvas__BrowserArgs__1"] = "--disable-gpu",
                ["CLAWEDGE_Screen__Enabled"] = "true",
            });
            string nodeId = await node.ConnectAndApproveAsync(gateway);
            await node.Process.WaitForLineAsync("canvas: browser ready", TimeSpan.FromSeconds(60));
            await Assert.That(node.Process.Output).Contains("on Wayland display");

            var (code, output) = await gateway.CliAsync("nodes", "canvas", "present", "--node", nodeId, "--target", Path.Combine(pages, "red.html"));
            await Assert.That(code).IsEqualTo(0).Because(output);
            await Assert.That(CanvasPages.Near(await PixelAsync(gateway, nodeId), CanvasPages.Red)).IsTrue();

            (code, output) = await gateway.CliAsync("nodes", "canvas", "navigate", new Uri(Path.Combine(pages, "blue.html")).AbsoluteUri, "--node", nodeId);
            await Assert.That(code).IsEqualTo(0).Because(output);
            await Assert.That(CanvasPages.Near(await PixelAsync(gateway, nodeId), CanvasPages.Blue)).IsTrue();

            (code, output) = await gateway.CliAsync("nodes", "canvas", "hide", "--node", nodeId);
            await Assert.That(code).IsEqualTo(0).Because(output);
            var hidden = await PixelAsync(gateway, nodeId);
            await Assert.That(hidden.R + hidden.G + hidden.B).IsLessThan(30).Because($"after hide {hidden}");
        }
        finally
        {
            Directory.Delete(stateDir, recursive: true);
            Directory.Delete(pages, recursive: true);
        }
    }

    private static async Task<(int R, int G, int B)> PixelAsync(RealGateway gateway, string nodeId)
    {
        var payload = (await EdgeNode.InvokeAsync(gateway, nodeId, "screen.snapshot", """{"format":"png"}"""))["payload"]!;
        await Assert.That((int)payload["width"]!).IsEqualTo(640);
        string path = await CanvasNodeFixture.SaveImageAsync(payload);
        try
        {
            return await MediaProbe.PixelAsync(path, 0, 320, 240);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
