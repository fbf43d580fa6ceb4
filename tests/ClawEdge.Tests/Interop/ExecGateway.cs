using System.Text.Json.Nodes;
using TUnit.Core.Interfaces;

namespace ClawEdge.Tests.Interop;

/// <summary>One real gateway and one ClawEdge node with its command surface approved, shared by the exec interop tests.</summary>
public sealed class ExecGateway : IAsyncInitializer, IAsyncDisposable
{
    public RealGateway Gateway { get; private set; } = null!;
    private ChildProcess? _bus, _notifications;
    private string? _busDir;

    /// <summary>Notify calls the test desktop's notification server received, one JSON line each.</summary>
    public string Notifications => _notifications?.Output ?? "";
    public EdgeNode Node { get; private set; } = null!;
    public string NodeId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Gateway = await RealGateway.StartAsync();
        // A desktop session bus with a notification server, so system.notify has a real desktop to reach.
        _busDir = Tools.TempDir("bus");
        string address = $"unix:path={_busDir}/bus";
        _bus = ChildProcess.Start("dbus-daemon", ["--session", "--nofork", $"--address={address}"]);
        for (int i = 0; i < 100 && !File.Exists(Path.Combine(_busDir, "bus")); i++)
            await Task.Delay(50);
        var busEnv = new Dictionary<string, string?> { ["DBUS_SESSION_BUS_ADDRESS"] = address };
        _notifications = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Fixtures.RepoRoot, "tests", "ClawEdge.Tests", "Interop", "notification_server.py")], busEnv);
        await _notifications.WaitForLineAsync("ready", TimeSpan.FromSeconds(20));
        Node = EdgeNode.Start(Gateway, environment: busEnv);
        NodeId = await Node.ConnectAndApproveAsync(Gateway);
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
        if (_notifications is not null)
            await _notifications.DisposeAsync();
        if (_bus is not null)
            await _bus.DisposeAsync();
        if (_busDir is not null)
            try { Directory.Delete(_busDir, true); } catch (IOException) { }
    }
}
