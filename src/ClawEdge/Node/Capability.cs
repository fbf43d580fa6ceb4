namespace ClawEdge.Node;

/// <summary>
/// One capability's registration: its commands (none when disabled), its CLI verb, its doctor checks, and
/// what it must release when the node stops. The composition root only lists capabilities.
/// </summary>
public abstract class Capability
{
    /// <summary>Short name, e.g. <c>canvas</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The commands this capability serves under these options; called once per process.</summary>
    public abstract IEnumerable<NodeCommand> CreateCommands(NodeServices services);

    /// <summary>The CLI verb it adds (<c>clawedge canvas …</c>), or null.</summary>
    public virtual string? Verb => null;

    /// <summary>One usage line for <c>clawedge help</c>.</summary>
    public virtual string? VerbHelp => null;

    public virtual Task<int> RunVerbAsync(ClawEdge.Cli.CommandLine line) => Task.FromResult(2);

    /// <summary>Read-only checks for <c>clawedge doctor</c>.</summary>
    public virtual IEnumerable<ClawEdge.Service.DoctorCheck> Doctor(NodeServices services) => [];

    /// <summary>The node is stopping: release hardware, restore outputs, close browsers.</summary>
    public virtual ValueTask StopAsync() => ValueTask.CompletedTask;
}
