using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ClawEdge.Host;

/// <summary>Sends a <c>node.event</c> (for example <c>exec.finished</c>) on the live gateway link.</summary>
public delegate Task NodeEventSink(string eventName, string payloadJson, CancellationToken cancellationToken);

/// <summary>One <c>node.invoke.request</c> as a handler sees it.</summary>
public sealed class InvokeContext
{
    public required string Id { get; init; }
    public required string Command { get; init; }

    /// <summary>The raw <c>paramsJSON</c> string; null when the caller sent no params.</summary>
    public string? ParamsJson { get; init; }

    public int TimeoutMs { get; init; } = 30_000;
    public string? IdempotencyKey { get; init; }

    /// <summary>
    /// The largest result this invoke may return: bytes of its <c>payloadJSON</c> once escaped into the result frame
    /// (<see cref="PayloadBudget.ForResult"/>). Outside a session (tests, benches) the default gateway's budget.
    /// </summary>
    public int MaxPayloadBytes { get; init; } = PayloadBudget.GatewayDefault.MaxRelayedResultBytes;

    public NodeEventSink SendEventAsync { get; init; } = static (_, _, _) => Task.CompletedTask;

    /// <summary>Parses the params into <typeparamref name="T"/>; null params give null. Bad JSON is an <c>INVALID_REQUEST</c>.</summary>
    public T? ReadParams<T>(JsonTypeInfo<T> typeInfo) where T : class
    {
        if (string.IsNullOrEmpty(ParamsJson) || ParamsJson == "null")
            return null;
        try
        {
            return JsonSerializer.Deserialize(ParamsJson, typeInfo);
        }
        catch (JsonException e)
        {
            throw new CommandException(ErrorCodes.InvalidRequest, $"invalid params for {Command}: {e.Message}");
        }
    }
}
