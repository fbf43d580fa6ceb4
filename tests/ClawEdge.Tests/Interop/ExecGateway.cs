using System.Text.Json.Nodes;
using TUnit.Core.Interfaces;

namespace ClawEdge.Tests.Interop;

/// <summary>One real gateway and one ClawEdge node with its command surface approved, shared by the exec interop tests.</summary>
public sealed class ExecGateway : IAsyncInitializer, IAsyncDisposable
{
    public RealGateway Gateway { get; private set; } = null!;
    public EdgeNode Node { get; private set; } = null!;
    public string NodeId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Gateway = await RealGateway.StartAsync();
        Node = EdgeNode.Start(Gateway);
        NodeId = await Node.DeviceIdAsync();
        await Node.WaitConnectedAsync();
        await Node.ApproveSurfaceAsync(Gateway);
        await Gateway.WaitForNodeAsync(NodeId, n => (bool?)n["connected"] == true && n.ToJsonString().Contains("system.run"), TimeSpan.FromSeconds(30));
    }

    /// <summary>The raw RPC path of NODE-PROTOCOL §9.1: <c>openclaw gateway call node.invoke</c>.</summary>
    public async Task<(int ExitCode, JsonNode Answer)> CallAsync(string method, JsonObject parameters)
    {
        var (code, output) = await Gateway.CliAsync("gateway", "call", method, "--params", parameters.ToJsonString(), "--json");
        int start = output.IndexOf('{');
        if (start < 0)
            throw new InvalidOperationException($"gateway call {method} printed no JSON ({code}):\n{output}");
        var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(output[start..]));
        return (code, JsonNode.Parse(ref reader)!);
    }

    public Task<(int ExitCode, JsonNode Answer)> RunAsync(JsonObject runParams, string key)
        => CallAsync("node.invoke", new JsonObject
        {
            ["nodeId"] = NodeId,
            ["command"] = "system.run",
            ["params"] = runParams,
            ["idempotencyKey"] = key,
            ["timeoutMs"] = 20000,
        });

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
            await Node.DisposeAsync();
        if (Gateway is not null)
            await Gateway.DisposeAsync();
    }
}
