namespace ClawEdge.Host;

/// <summary>The answer to one invoke: a JSON payload, or a stable error code with a human message.</summary>
public readonly record struct CommandResult(bool Ok, string? PayloadJson, string? ErrorCode, string? ErrorMessage)
{
    /// <summary>A media payload written into the frame as it is sent (instead of <see cref="PayloadJson"/>); owned by the result.</summary>
    public Base64Payload? Streamed { get; init; }

    public static CommandResult Success(string payloadJson) => new(true, payloadJson, null, null);

    /// <summary>A snap or a clip: the session writes it into the frame and then disposes it.</summary>
    public static CommandResult Success(Base64Payload payload) => new(true, null, null, null) { Streamed = payload };

    public static CommandResult Failure(string code, string message) => new(false, null, code, message);
}
