using System.Net.Security;
using System.Net.Sockets;

namespace ClawEdge.Gateway;

/// <summary>Reads the fingerprint a TLS server presents, sending nothing but the TLS handshake.</summary>
public static class CertificateProbe
{
    public static async Task<string> FingerprintAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await tcp.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        string? fingerprint = null;
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            if (certificate is not null)
                fingerprint = TlsPin.Of(certificate);
            return true;
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, timeout.Token).ConfigureAwait(false);
        return fingerprint ?? throw new IOException("the server presented no certificate");
    }
}
