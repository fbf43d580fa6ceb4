namespace ClawEdge.Gateway;

/// <summary>Constants and the signed payload of the node handshake.</summary>
public static class GatewayProtocol
{
    public const int Version = 4;
    public const string ClientId = "node-host";   // only this id gets node-profile setup codes and invoke cancels
    public const string ClientMode = "node";
    public const string Role = "node";
    public const string Platform = "linux";
    public const string DeviceFamily = "Linux";

    /// <summary>Before <c>hello-ok</c> the gateway closes with 1009 on anything larger.</summary>
    public const int PreAuthMaxFrameBytes = 65_536;

    /// <summary>
    /// What <c>hello-ok.policy</c> says when a gateway leaves a field out: the gateway's own defaults
    /// (<c>MAX_PAYLOAD_BYTES</c>, <c>MAX_BUFFERED_BYTES</c> in its server constants).
    /// </summary>
    public const int DefaultMaxPayloadBytes = 26_214_400;

    public const long DefaultMaxBufferedBytes = 52_428_800;

    /// <summary>
    /// The v3 string the device key signs:
    /// <c>v3|deviceId|clientId|mode|role|scopes|signedAt|token|nonce|platform|deviceFamily</c>, platform and
    /// family trimmed and ASCII-lowercased, token = shared token, else device token, else bootstrap token.
    /// </summary>
    public static string SignaturePayloadV3(string deviceId, long signedAt, string? token, string nonce) =>
        string.Join('|', "v3", deviceId, ClientId, ClientMode, Role, "", signedAt.ToString(System.Globalization.CultureInfo.InvariantCulture),
            token ?? "", nonce, AsciiLower(Platform), AsciiLower(DeviceFamily));

    private static string AsciiLower(string value)
    {
        var trimmed = value.Trim();
        return string.Create(trimmed.Length, trimmed, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
                span[i] = s[i] is >= 'A' and <= 'Z' ? (char)(s[i] + 32) : s[i];
        });
    }
}
