using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;
using ClawEdge.Tests.Media;
using TUnit.Core.Interfaces;

namespace ClawEdge.Tests.Canvas;

/// <summary>
/// One real gateway allowing the canvas commands, one Xvfb (800×600, grey), and our published node owning a real
/// Chromium on it (Canvas:Enabled, Canvas:AllowEval, Screen:Enabled for screen.snapshot), its surface approved.
/// </summary>
public sealed class CanvasNodeFixture : IAsyncInitializer, IAsyncDisposable
{
    public const string Background = "#404040";
    public const int Width = 800, Height = 600;

    public RealGateway Gateway { get; private set; } = null!;
    public XvfbServer X { get; private set; } = null!;
    public EdgeNode Node { get; private set; } = null!;
    public string NodeId { get; private set; } = "";
    public string Pages { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Pages = CanvasPages.Create();
        X = await XvfbServer.StartAsync(Width, Height, Background);
        Gateway = await RealGateway.StartAsync(CanvasPages.GatewayConfig());
        Node = EdgeNode.Start(Gateway, environment: new Dictionary<string, string?>
        {
            ["DISPLAY"] = X.Display,
            ["WAYLAND_DISPLAY"] = null,
            ["CLAWEDGE_Canvas__Enabled"] = "true",
            ["CLAWEDGE_Canvas__AllowEval"] = "true",
            ["CLAWEDGE_Canvas__FilesDirectory"] = Pages,
            ["CLAWEDGE_Canvas__BrowserArgs__0"] = "--disable-gpu",
            ["CLAWEDGE_Screen__Enabled"] = "true",
        });
        NodeId = await Node.ConnectAndApproveAsync(Gateway);
        await Node.Process.WaitForLineAsync("canvas: browser ready", TimeSpan.FromSeconds(60));
    }

    public string Page(string name) => new Uri(Path.Combine(Pages, $"{name}.html")).AbsoluteUri;

    /// <summary><c>openclaw nodes invoke … --json</c>: exit code, and the payload (or the whole output when it failed).</summary>
    public async Task<(int Code, JsonNode? Payload, string Output)> InvokeAsync(string command, string paramsJson, int timeoutMs = 20_000)
    {
        var (code, output) = await Gateway.CliAsync("nodes", "invoke", "--node", NodeId, "--command", command, "--params", paramsJson,
            "--invoke-timeout", timeoutMs.ToString(), "--timeout", (timeoutMs + 10_000).ToString(), "--json");
        int start = output.IndexOf('{');
        JsonNode? payload = code == 0 && start >= 0 ? JsonNode.Parse(output[start..])?["payload"] : null;
        return (code, payload, output);
    }

    /// <summary>The screen as the node sees it: <c>screen.snapshot</c> (png) through the gateway, saved to a file.</summary>
    public async Task<string> ScreenPngAsync()
    {
        var (code, payload, output) = await InvokeAsync("screen.snapshot", """{"format":"png"}""");
        if (code != 0 || payload is null)
            throw new InvalidOperationException($"screen.snapshot failed: {output}");
        return await SaveImageAsync(payload);
    }

    /// <summary>Writes a result's base64 image to a file named for its format (png, jpeg); the caller deletes it.</summary>
    public static async Task<string> SaveImageAsync(JsonNode payload)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ce-canvas-{Guid.NewGuid():N}.{((string?)payload["format"] == "jpeg" ? "jpg" : "png")}");
        await File.WriteAllBytesAsync(path, Convert.FromBase64String((string)payload["base64"]!));
        return path;
    }

    public async Task<(int R, int G, int B)> ScreenPixelAsync(int x, int y)
    {
        string path = await ScreenPngAsync();
        try
        {
            return await MediaProbe.PixelAsync(path, 0, x, y);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The node still answers an ordinary command: its link survived whatever the test did.</summary>
    public async Task<bool> NodeAnswersAsync()
    {
        var which = await EdgeNode.InvokeAsync(Gateway, NodeId, "system.which", """{"bins":["sh"]}""");
        return which["payload"]?["bins"]?.AsObject().ContainsKey("sh") == true;
    }

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
            await Node.DisposeAsync();
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        if (X is not null)
            await X.DisposeAsync();
        if (Pages.Length > 0)
            Directory.Delete(Pages, recursive: true);
    }
}
