using ClawEdge.Config;
using ClawEdge.State;

namespace ClawEdge.Node;

/// <summary>What command handlers may need from the node host, given to <see cref="CommandRegistry.Create"/>.</summary>
public sealed class NodeServices
{
    public required StateStore State { get; init; }

    public ClawEdgeOptions Options { get; init; } = new();

    /// <summary>The gateway link outside an invoke (node events, gateway requests, hello-ok grants).</summary>
    public NodeLink Link { get; init; } = new();
}
