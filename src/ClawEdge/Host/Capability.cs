using ClawEdge.Cli;
using ClawEdge.Service;

namespace ClawEdge.Host;

/// <summary>
/// A capability's one registration (the folder's <c>&lt;Name&gt;Capability</c>): the commands it serves under
/// this configuration, the CLI verb it adds, its doctor checks, and what it releases when the node stops.
/// The composition root (<see cref="Capabilities"/>) lists capabilities and nothing else.
/// </summary>
public abstract class Capability
{
    /// <summary>Short name for logs and help (<c>camera</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Commands served under this configuration; none when the section is disabled. Called once per process.</summary>
    public abstract IEnumerable<NodeCommand> CreateCommands(NodeServices services);

    /// <summary>The CLI verb this capability adds (<c>camera</c>, <c>approvals</c>), or null.</summary>
    public virtual string? Verb => null;

    /// <summary>Its line in <c>clawedge help</c>.</summary>
    public virtual string? VerbHelp => null;

    public virtual Task<int> RunVerbAsync(CommandLine line) => Task.FromResult(2);

    /// <summary><c>clawedge doctor</c> lines; read-only, like every doctor check.</summary>
    public virtual IEnumerable<DoctorCheck> Doctor(NodeServices services) => [];

    /// <summary>The node is stopping: release hardware, restore outputs, close helper processes.</summary>
    public virtual ValueTask StopAsync() => ValueTask.CompletedTask;
}
