using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;
using TUnit.Core.Interfaces;

namespace ClawEdge.Tests.Media;

/// <summary>
/// One real gateway (screen.record and camera.clip allowed), one Xvfb with two Xinerama heads painted a
/// known colour, and our published node recording it (Screen:Enabled), its surface approved.
/// </summary>
public sealed class ScreenNodeFixture : IAsyncInitializer, IAsyncDisposable
{
    public const string Colour = "#C81E28";

    public RealGateway Gateway { get; private set; } = null!;
    public XvfbServer X { get; private set; } = null!;
    public EdgeNode Node { get; private set; } = null!;
    public string NodeId { get; private set; } = "";

    public static JsonObject AllowMedia() =>
        JsonNode.Parse("""{"gateway":{"nodes":{"commands":{"allow":["screen.record","camera.clip"]}}}}""")!.AsObject();

    public async Task InitializeAsync()
    {
        X = await XvfbServer.StartAsync(640, 480, Colour, "-screen 1 320x240x24 +xinerama");
        Gateway = await RealGateway.StartAsync(AllowMedia());
        (Node, NodeId) = await StartNodeAsync(Gateway, X.Display);
    }

    public static async Task<(EdgeNode Node, string NodeId)> StartNodeAsync(RealGateway gateway, string display)
    {
        var node = EdgeNode.Start(gateway, environment: new Dictionary<string, string?>
        {
            ["DISPLAY"] = display,
            ["WAYLAND_DISPLAY"] = null, // a Wayland session would be recorded instead
            ["CLAWEDGE_Screen__Enabled"] = "true",
        });
        string id = await node.ConnectAndApproveAsync(gateway);
        return (node, id);
    }

    /// <summary><c>openclaw nodes invoke</c> with room for a minute-long recording; returns exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> InvokeAsync(RealGateway gateway, string nodeId, string command, string paramsJson) =>
        gateway.CliAsync("nodes", "invoke", "--node", nodeId, "--command", command, "--params", paramsJson,
            "--invoke-timeout", "90000", "--timeout", "100000", "--json");

    public static JsonNode Payload(string output)
    {
        var node = JsonNode.Parse(output[output.IndexOf('{')..])!;
        return node["payload"]!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
            await Node.DisposeAsync();
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        if (X is not null)
            await X.DisposeAsync();
    }
}
