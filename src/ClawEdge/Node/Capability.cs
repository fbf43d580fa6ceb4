namespace ClawEdge.Node;

/// <summary>
/// One capability's registration (the house contract): its commands, CLI verb, doctor checks and what to release
/// when the node stops. The composition root lists capabilities in <see cref="Capabilities"/> and nothing else.
/// </summary>
public abstract class Capability
{
    public abstract string Name { get; }

    /// <summary>The commands it serves with this configuration; none when disabled. Called once per process.</summary>
    public abstract IEnumerable<NodeCommand> CreateCommands(NodeServices services);

    /// <summary>The CLI verb it adds, e.g. <c>gpio</c>.</summary>
    public virtual string? Verb => null;

    /// <summary>One usage line for <c>clawedge help</c>.</summary>
    public virtual string? VerbHelp => null;

    public virtual Task<int> RunVerbAsync(ClawEdge.Cli.CommandLine line) => Task.FromResult(2);

    /// <summary>Read-only checks for <c>clawedge doctor</c>.</summary>
    public virtual IEnumerable<ClawEdge.Service.DoctorCheck> Doctor(NodeServices services) => [];

    /// <summary>Node stopping: release hardware, restore outputs.</summary>
    public virtual ValueTask StopAsync() => ValueTask.CompletedTask;
}

/// <summary>Every capability of this build, in one list (the one line a new capability adds).</summary>
public static class Capabilities
{
    public static readonly Capability[] All = [new ClawEdge.Gpio.GpioCapability()];

    public static Capability? ForVerb(string verb) => All.FirstOrDefault(c => c.Verb == verb);

    /// <summary>Stops every capability; a failure in one does not keep the others from stopping.</summary>
    public static async Task StopAllAsync()
    {
        foreach (var capability in All)
        {
            try
            {
                await capability.StopAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                ClawEdge.Logging.Log.Warn($"{capability.Name}: stop failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }
}
