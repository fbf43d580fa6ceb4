namespace ClawEdge.Host;

/// <summary>The answer to one invoke: a JSON payload, or a stable error code with a human message.</summary>
public readonly record struct CommandResult(bool Ok, string? PayloadJson, string? ErrorCode, string? ErrorMessage)
{
    public static CommandResult Success(string payloadJson) => new(true, payloadJson, null, null);

    public static CommandResult Failure(string code, string message) => new(false, null, code, message);
}
