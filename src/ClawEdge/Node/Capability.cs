namespace ClawEdge.Node;

/// <summary>
/// One capability folder's registration: its commands, its CLI verb and its doctor checks. The composition root
/// only lists capabilities (<see cref="Capabilities.All"/>); it knows nothing of what they do.
/// </summary>
public abstract class Capability
{
    /// <summary>The folder's name in lower case, e.g. <c>location</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The commands this configuration serves; none when the capability is disabled. Called once per process.</summary>
    public abstract IEnumerable<NodeCommand> CreateCommands(NodeServices services);

    /// <summary>The CLI verb it adds, e.g. <c>location</c>.</summary>
    public virtual string? Verb => null;

    /// <summary>One usage line for <c>clawedge help</c>.</summary>
    public virtual string? VerbHelp => null;

    public virtual Task<int> RunVerbAsync(ClawEdge.Cli.CommandLine line) => Task.FromResult(2);

    /// <summary>Read-only checks for <c>clawedge doctor</c>.</summary>
    public virtual IEnumerable<ClawEdge.Service.DoctorCheck> Doctor(NodeServices services) => [];

    /// <summary>The node is stopping: release what the capability holds.</summary>
    public virtual ValueTask StopAsync() => ValueTask.CompletedTask;
}
