using System.Net;
using System.Net.Sockets;

namespace ClawEdge.Gateway;

/// <summary>Where the gateway is and how to reach it safely.</summary>
public sealed record GatewayEndpoint(string Host, int Port, bool Tls, string? TlsFingerprint, string? ContextPath)
{
    public Uri Uri
    {
        get
        {
            string host = Host.Contains(':') && !Host.StartsWith('[') ? $"[{Host}]" : Host;
            return new Uri($"{(Tls ? "wss" : "ws")}://{host}:{Port}{NormalizedPath}");
        }
    }

    /// <summary>The key device tokens are stored under: a token is only ever sent back to the gateway that issued it.</summary>
    public string Origin => Uri.GetLeftPart(UriPartial.Path).TrimEnd('/');

    private string NormalizedPath => string.IsNullOrEmpty(ContextPath) ? "" : "/" + ContextPath.Trim('/');

    public override string ToString() => Uri.ToString();

    /// <summary>
    /// The reference host's plaintext rule: <c>ws://</c> only to loopback, private and link-local
    /// addresses, <c>.local</c> and <c>*.ts.net</c> names. Anything else needs TLS or an explicit opt-in.
    /// </summary>
    public bool IsPlaintextSafe()
    {
        string host = Host.Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".ts.net", StringComparison.OrdinalIgnoreCase))
            return true;
        if (!IPAddress.TryParse(host, out var ip))
            return false;
        if (IPAddress.IsLoopback(ip))
            return true;
        if (ip.IsIPv4MappedToIPv6)
            ip = ip.MapToIPv4();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return b[0] == 10
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] is >= 64 and <= 127); // CGNAT, Tailscale
        }
        return ip.IsIPv6LinkLocal || ip.IsIPv6UniqueLocal;
    }
}
