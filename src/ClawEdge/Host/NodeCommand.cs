namespace ClawEdge.Host;

/// <summary>
/// One command the node serves through <c>node.invoke</c>. A handler parses its params into a
/// source-generated record, does its work and returns a result or a coded error. Handlers are
/// registered in <see cref="CommandRegistry"/> and nowhere else.
/// </summary>
public abstract class NodeCommand
{
    /// <summary>The wire name, e.g. <c>system.which</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The capability declared in <c>connect.caps</c> for this command (<c>system</c>, <c>camera</c>, …).</summary>
    public abstract string Capability { get; }

    public abstract Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken);
}
