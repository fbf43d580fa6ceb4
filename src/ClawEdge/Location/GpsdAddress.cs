using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ClawEdge.Location;

/// <summary><c>Location:Gpsd</c>: <c>host:port</c>, <c>[v6]:port</c>, <c>host</c> (gpsd's port 2947) or an absolute unix socket path.</summary>
public sealed record GpsdAddress(string? Host, int Port, string? SocketPath)
{
    public const int DefaultPort = 2947;

    public static GpsdAddress Parse(string text)
    {
        text = text.Trim();
        if (text.StartsWith('/'))
            return new(null, 0, text);
        if (text.Length == 0)
            throw new FormatException("Location:Gpsd is empty: use host:port (127.0.0.1:2947) or a socket path");
        string host = text;
        int port = DefaultPort;
        int colon = text.LastIndexOf(':');
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0)
                throw new FormatException($"Location:Gpsd '{text}': missing ']'");
            host = text[1..close];
            if (close + 1 < text.Length)
                port = PortOf(text, text[(close + 1)..]);
        }
        else if (colon > 0 && text.IndexOf(':') == colon)
        {
            host = text[..colon];
            port = PortOf(text, text[colon..]);
        }
        return new(host, port, null);
    }

    private static int PortOf(string text, string tail) =>
        tail.StartsWith(':') && int.TryParse(tail.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536
            ? port
            : throw new FormatException($"Location:Gpsd '{text}': the port must be 1–65535");

    public EndPoint EndPoint => SocketPath is not null
        ? new UnixDomainSocketEndPoint(SocketPath)
        : IPAddress.TryParse(Host, out var ip) ? new IPEndPoint(ip, Port) : new DnsEndPoint(Host!, Port);

    public override string ToString() => SocketPath ?? (Host!.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}");
}
