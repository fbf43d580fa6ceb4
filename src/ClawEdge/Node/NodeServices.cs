using ClawEdge.Config;
using ClawEdge.State;

namespace ClawEdge.Node;

/// <summary>What command handlers may need from the node host, given to <see cref="CommandRegistry.Create"/>.</summary>
public sealed class NodeServices
{
    public required ClawEdgeOptions Options { get; init; }
    public required StateStore State { get; init; }
}
