using ClawEdge.Host;

namespace ClawEdge.Notify;

/// <summary><c>system.notify</c>: a desktop notification, or a journal line on a headless node.</summary>
public sealed class NotifyCapability : Capability
{
    public override string Name => "notify";

    public override IEnumerable<NodeCommand> CreateCommands(NodeServices services) => [new SystemNotifyCommand()];
}
