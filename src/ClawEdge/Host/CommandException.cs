namespace ClawEdge.Host;

/// <summary>
/// Thrown by a handler to answer with a coded error. The registry turns it into an error result;
/// any other exception becomes <c>UNAVAILABLE</c>. The node never crashes on a bad invoke.
/// </summary>
public sealed class CommandException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
