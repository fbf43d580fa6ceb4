using TUnit.Core.Interfaces;

namespace ClawEdge.Tests.Interop;

/// <summary>
/// One real gateway with default settings (silent loopback device pairing) shared by the test session,
/// for tests that only need a live peer. Tests that change gateway settings or restart it start their own.
/// </summary>
public sealed class SharedGateway : IAsyncInitializer, IAsyncDisposable
{
    public RealGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await RealGateway.StartAsync();

    public async ValueTask DisposeAsync() => await Gateway.DisposeAsync();

    /// <summary>Starts a node, approves its command surface, and returns it with its device id.</summary>
    public async Task<(EdgeNode Node, string DeviceId)> StartApprovedNodeAsync(bool arm64 = false, IDictionary<string, string?>? environment = null, params string[] extraArgs)
    {
        var node = EdgeNode.Start(Gateway, null, arm64, environment, extraArgs);
        string id = await node.DeviceIdAsync();
        await node.WaitConnectedAsync(TimeSpan.FromSeconds(arm64 ? 120 : 60));
        await node.ApproveSurfaceAsync(Gateway);
        return (node, id);
    }
}
