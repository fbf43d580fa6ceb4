using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClawEdge.Gateway;

// Wire shapes of gateway protocol v4 (see shared/protocol/NODE-PROTOCOL.md). Incoming types are
// open (unknown fields are ignored); outgoing types carry exactly the fields the gateway's closed
// schemas allow.

/// <summary>Any frame the gateway sends: request, response or event.</summary>
public sealed class IncomingFrame
{
    public string? Type { get; set; }
    public string? Id { get; set; }
    public string? Method { get; set; }
    public string? Event { get; set; }
    public bool? Ok { get; set; }
    public JsonElement Payload { get; set; }
    public GatewayError? Error { get; set; }
    public long? Seq { get; set; }
}

public sealed class GatewayError
{
    public string? Code { get; set; }
    public string? Message { get; set; }
    public JsonElement Details { get; set; }
    public bool? Retryable { get; set; }
    public int? RetryAfterMs { get; set; }

    /// <summary><c>details.code</c>, where the gateway puts the specific reason.</summary>
    public string? DetailCode => Details.ValueKind == JsonValueKind.Object && Details.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;

    public string? DetailString(string name) => Details.ValueKind == JsonValueKind.Object && Details.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public override string ToString() => DetailCode is { } d ? $"{Code}/{d}: {Message}" : $"{Code}: {Message}";
}

public sealed class ChallengePayload
{
    public string? Nonce { get; set; }
    public long Ts { get; set; }
}

public sealed class HelloOk
{
    public string? Type { get; set; }
    public int Protocol { get; set; }
    public ServerInfo? Server { get; set; }
    public HelloAuth? Auth { get; set; }
    public HelloPolicy? Policy { get; set; }

    /// <summary>Capability URLs for plugin surfaces this node declared (<c>canvas</c>), each valid for minutes.</summary>
    public Dictionary<string, string>? PluginSurfaceUrls { get; set; }
}

public sealed class ServerInfo
{
    public string? Version { get; set; }
    public string? ConnId { get; set; }
}

public sealed class HelloAuth
{
    public string? Method { get; set; }
    public string? Role { get; set; }
    public string? DeviceToken { get; set; }
}

public sealed class HelloPolicy
{
    public int MaxPayload { get; set; } = GatewayProtocol.DefaultMaxPayloadBytes;
    public long MaxBufferedBytes { get; set; } = GatewayProtocol.DefaultMaxBufferedBytes;
    public int TickIntervalMs { get; set; } = 30_000;
}

public sealed class InvokeRequestPayload
{
    public string? Id { get; set; }
    public string? NodeId { get; set; }
    public string? Command { get; set; }

    [JsonPropertyName("paramsJSON")]
    public string? ParamsJson { get; set; }

    /// <summary>Accepted too, though the gateway sends <c>paramsJSON</c>.</summary>
    public JsonElement Params { get; set; }
    public int? TimeoutMs { get; set; }
    public string? IdempotencyKey { get; set; }
    public string? SessionKey { get; set; }
}

public sealed class InvokeCancelPayload
{
    public string? InvokeId { get; set; }
    public string? Id { get; set; }
    public string? NodeId { get; set; }
}

public sealed class PairResolvedPayload
{
    public string? RequestId { get; set; }
    public string? NodeId { get; set; }
    public string? Decision { get; set; }
}

public sealed class RequestFrame<T>
{
    public string Type => "req";
    public required string Id { get; init; }
    public required string Method { get; init; }
    public required T Params { get; init; }
}

public sealed class ConnectParams
{
    public int MinProtocol { get; init; } = GatewayProtocol.Version;
    public int MaxProtocol { get; init; } = GatewayProtocol.Version;
    public required ClientInfo Client { get; init; }
    public required string[] Caps { get; init; }
    public required string[] Commands { get; init; }
    public Dictionary<string, bool>? Permissions { get; init; }
    public string? PathEnv { get; init; }
    public required ConnectAuth Auth { get; init; }
    public string Role => "node";
    public string[] Scopes => [];
    public required DeviceProof Device { get; init; }
    public string? UserAgent { get; init; }
}

public sealed class ClientInfo
{
    public string Id => GatewayProtocol.ClientId;
    public string? DisplayName { get; init; }
    public required string Version { get; init; }
    public string Platform => GatewayProtocol.Platform;
    public string DeviceFamily => GatewayProtocol.DeviceFamily;
    public string? ModelIdentifier { get; init; }
    public string Mode => GatewayProtocol.ClientMode;
    public string? InstanceId { get; init; }
}

public sealed class ConnectAuth
{
    public string? Token { get; init; }
    public string? BootstrapToken { get; init; }
    public string? DeviceToken { get; init; }
    public string? Password { get; init; }
}

public sealed class DeviceProof
{
    public required string Id { get; init; }
    public required string PublicKey { get; init; }
    public required string Signature { get; init; }
    public required long SignedAt { get; init; }
    public required string Nonce { get; init; }
}

public sealed class InvokeResultParams
{
    public required string Id { get; init; }
    public required string NodeId { get; init; }
    public required bool Ok { get; init; }

    [JsonPropertyName("payloadJSON")]
    public string? PayloadJson { get; init; }
    public InvokeError? Error { get; init; }
}

public sealed class InvokeError
{
    public required string Code { get; init; }
    public required string Message { get; init; }
}

public sealed class NodeEventParams
{
    public required string Event { get; init; }

    [JsonPropertyName("payloadJSON")]
    public required string PayloadJson { get; init; }
}

/// <summary>No worker hosting: the gateway accepts exactly <c>{"protocolFeatures":[]}</c> for that.</summary>
public sealed class RunnerInventoryParams
{
    public string[] ProtocolFeatures { get; init; } = [];
}

public sealed class HostStats
{
    public int CpuCount { get; init; }
    public double[]? LoadAverage { get; init; }
    public long MemoryTotalBytes { get; init; }
    public long MemoryFreeBytes { get; init; }
    public long? DiskTotalBytes { get; init; }
    public long? DiskAvailableBytes { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IncomingFrame))]
[JsonSerializable(typeof(ChallengePayload))]
[JsonSerializable(typeof(HelloOk))]
[JsonSerializable(typeof(InvokeRequestPayload))]
[JsonSerializable(typeof(InvokeCancelPayload))]
[JsonSerializable(typeof(PairResolvedPayload))]
[JsonSerializable(typeof(RequestFrame<ConnectParams>))]
[JsonSerializable(typeof(RequestFrame<InvokeResultParams>))]
[JsonSerializable(typeof(RequestFrame<NodeEventParams>))]
[JsonSerializable(typeof(RequestFrame<RunnerInventoryParams>))]
[JsonSerializable(typeof(RequestFrame<JsonElement>))]
[JsonSerializable(typeof(HostStats))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;
