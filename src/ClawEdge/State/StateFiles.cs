using System.Text.Json.Serialization;

namespace ClawEdge.State;

/// <summary><c>identity.json</c>: the Ed25519 seed. Whoever reads it can act as this node.</summary>
public sealed class IdentityFile
{
    public int Version { get; set; } = 1;
    public string DeviceId { get; set; } = "";
    public string PublicKey { get; set; } = "";
    public string Seed { get; set; } = "";
    public long CreatedAtMs { get; set; }
}

/// <summary><c>node.json</c>: instance id, saved options, device tokens per gateway, last connect.</summary>
public sealed class NodeFile
{
    public int Version { get; set; } = 1;
    public string InstanceId { get; set; } = "";
    public string? DisplayName { get; set; }

    /// <summary>The device the tokens below were issued to, so a lost identity.json can be named.</summary>
    public string? DeviceId { get; set; }

    /// <summary>The <c>--commands</c> allowlist saved by the last run that gave one (as the reference host does).</summary>
    public string[]? Commands { get; set; }

    /// <summary>The endpoint learnt from a setup code, so a restart without <c>--pair</c> goes back to it.</summary>
    public SavedGateway? Gateway { get; set; }

    /// <summary>A pin set with <c>clawedge pin</c>: wins over configured pins until <c>clawedge pin --clear</c>.</summary>
    public string? PinnedFingerprint { get; set; }

    /// <summary>Device tokens for role <c>node</c>, keyed by gateway origin (<c>ws://host:port/path</c>).</summary>
    public Dictionary<string, DeviceToken> DeviceTokens { get; set; } = new(StringComparer.Ordinal);

    public ConnectStatus? LastConnect { get; set; }
}

public sealed class SavedGateway
{
    public string Host { get; set; } = "";
    public int Port { get; set; }
    public bool Tls { get; set; }
    public string? TlsFingerprint { get; set; }
    public string? ContextPath { get; set; }
}

public sealed class DeviceToken
{
    public string Token { get; set; } = "";
    public long UpdatedAtMs { get; set; }
}

/// <summary>What <c>clawedge status</c> shows about the link.</summary>
public sealed class ConnectStatus
{
    public string Url { get; set; } = "";
    public long AtMs { get; set; }

    /// <summary><c>connected</c>, <c>pairing-required</c>, <c>surface-pending</c>, <c>auth-refused</c>, <c>rejected</c>, <c>unreachable</c>.</summary>
    public string State { get; set; } = "";
    public string? Detail { get; set; }
    public string? PairingRequestId { get; set; }
    public string? SurfaceRequestId { get; set; }
    public long? ConnectedAtMs { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IdentityFile))]
[JsonSerializable(typeof(NodeFile))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
