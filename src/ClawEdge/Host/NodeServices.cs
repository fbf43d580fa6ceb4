using ClawEdge.Config;
using ClawEdge.State;

namespace ClawEdge.Host;

/// <summary>What capabilities may use from the node host: the configuration and the state directory.</summary>
public sealed class NodeServices
{
    public required ClawEdgeOptions Options { get; init; }
    public required StateStore State { get; init; }
}
