using System.Text.Json;
using System.Text.Json.Serialization;
using ClawEdge.Config;


namespace ClawEdge.Gateway;

/// <summary>
/// A setup code (<c>oc-pair://</c> prefix optional): base64url JSON with the gateway URL, a single-use
/// bootstrap token, its expiry and, for a self-signed <c>wss://</c> gateway, the certificate pin.
/// The bootstrap token is a bearer secret: it is used for one connect and never written to disk.
/// </summary>
public sealed class SetupCode
{
    public required GatewayEndpoint Endpoint { get; init; }
    public required string BootstrapToken { get; init; }
    public long ExpiresAtMs { get; init; }

    public static SetupCode Parse(string text, DateTimeOffset now)
    {
        string code = text.Trim();
        if (code.StartsWith("oc-pair://", StringComparison.OrdinalIgnoreCase))
            code = code["oc-pair://".Length..];
        code = code.TrimEnd('/');

        SetupCodeJson? json;
        try
        {
            json = JsonSerializer.Deserialize(System.Buffers.Text.Base64Url.DecodeFromChars(code), SetupCodeJsonContext.Default.SetupCodeJson);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new ConfigException("the setup code is not valid (expected the oc-pair://… text or the code after it, as `openclaw devices` or the Control UI prints it)");
        }
        if (json?.Url is null || !Uri.TryCreate(json.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss"))
            throw new ConfigException("the setup code has no ws:// or wss:// gateway URL");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new ConfigException("the setup code's URL carries credentials; refusing it");
        if (string.IsNullOrEmpty(json.BootstrapToken))
            throw new ConfigException("the setup code has no bootstrap token");
        if (json.ExpiresAtMs is { } expires && expires < now.ToUnixTimeMilliseconds())
            throw new ConfigException($"the setup code expired at {DateTimeOffset.FromUnixTimeMilliseconds(expires):u}; ask the operator for a new one (openclaw gateway call device.pair.setupCode …)");
        string? pin = null;
        if (json.TlsFingerprint is { } fp)
            pin = TlsPin.Normalize(fp) ?? throw new ConfigException("the setup code's TLS fingerprint is not a SHA-256 fingerprint");

        bool tls = uri.Scheme == "wss";
        int port = uri.IsDefaultPort ? (tls ? 443 : 80) : uri.Port;
        string path = uri.AbsolutePath == "/" ? "" : uri.AbsolutePath;
        return new SetupCode
        {
            Endpoint = new GatewayEndpoint(uri.Host, port, tls, pin, path.Length == 0 ? null : path),
            BootstrapToken = json.BootstrapToken,
            ExpiresAtMs = json.ExpiresAtMs ?? 0,
        };
    }
}

internal sealed class SetupCodeJson
{
    public string? Url { get; set; }
    public string? BootstrapToken { get; set; }
    public long? ExpiresAtMs { get; set; }
    public string? TlsFingerprint { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SetupCodeJson))]
internal sealed partial class SetupCodeJsonContext : JsonSerializerContext;
