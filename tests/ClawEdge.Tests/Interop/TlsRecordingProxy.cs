using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClawEdge.Tests.Interop;

/// <summary>
/// A TLS terminator on loopback in front of a plaintext gateway that records every decrypted byte the
/// client sends: the witness that a node with a wrong pin sends nothing (no upgrade, no token).
/// </summary>
public sealed class TlsRecordingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly MemoryStream _plaintext = new();
    private int _tcpConnections;
    private readonly Task _accepting;

    public TlsRecordingProxy(int targetPort)
    {
        _targetPort = targetPort;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ce-test-proxy", key, HashAlgorithmName.SHA256);
        using var generated = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        _certificate = X509CertificateLoader.LoadPkcs12(generated.Export(X509ContentType.Pkcs12), null);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(_certificate.RawData));
    public int TcpConnections => Volatile.Read(ref _tcpConnections);

    public byte[] Plaintext
    {
        get
        {
            lock (_plaintext)
                return _plaintext.ToArray();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _tcpConnections);
            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                var toGateway = PumpAsync(tls, upstream.GetStream(), record: true);
                var toClient = PumpAsync(upstream.GetStream(), tls, record: false);
                await Task.WhenAny(toGateway, toClient);
                client.Close();
                upstream.Close();
                await Task.WhenAll(toGateway.ContinueWith(static t => _ = t.Exception), toClient.ContinueWith(static t => _ = t.Exception)); // observe both
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // A client that rejects our certificate aborts the handshake: exactly what the tests expect.
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to, bool record)
    {
        var buffer = new byte[16384];
        int n;
        while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (record)
                lock (_plaintext)
                    _plaintext.Write(buffer, 0, n);
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accepting; } catch (OperationCanceledException) { }
        _certificate.Dispose();
    }
}
