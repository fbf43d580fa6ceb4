using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClawEdge.Tests.Interop;

/// <summary>
/// A WebSocket man-in-the-middle between a node and the real gateway. It forwards whole frames both ways,
/// keeps the node's frames (unmasked) for inspection, and can inject frames towards the node as if the
/// gateway had sent them: malformed JSON, oversized and binary frames, unknown events, invokes.
/// </summary>
public sealed class WsInjectingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _toNodeLock = new(1, 1);
    private readonly List<string> _fromNode = [];
    private Stream? _toNode;
    private readonly Task _accepting;

    public WsInjectingProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>
    /// How many connects to answer as a gateway still starting its sidecars does (UNAVAILABLE, retryable,
    /// retryAfterMs 500) instead of forwarding them: the frame is the one the real gateway sends then.
    /// </summary>
    public int RefuseConnects;

    /// <summary>Rewrites text frames on their way to the node (e.g. to shorten hello-ok's tick interval).</summary>
    public Func<string, string>? RewriteToNode { get; set; }
    public int Connections;

    public IReadOnlyList<string> FramesFromNode
    {
        get
        {
            lock (_fromNode)
                return _fromNode.ToArray();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            Interlocked.Increment(ref Connections);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                var node = client.GetStream();
                var gateway = upstream.GetStream();
                // HTTP upgrade both ways, byte for byte, up to the blank line.
                await CopyHeadAsync(node, gateway);
                await CopyHeadAsync(gateway, node);
                _toNode = node;
                var up = PumpFramesAsync(node, gateway, fromNode: true);
                var down = PumpFramesAsync(gateway, node, fromNode: false);
                await Task.WhenAny(up, down);
                client.Close();
                upstream.Close();
                await Task.WhenAll(up.ContinueWith(static t => _ = t.Exception), down.ContinueWith(static t => _ = t.Exception)); // observe both
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task CopyHeadAsync(Stream from, Stream to)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r'))
        {
            if (await from.ReadAsync(one, _stop.Token) == 0)
                throw new IOException("closed during upgrade");
            head.Add(one[0]);
        }
        await to.WriteAsync(head.ToArray(), _stop.Token);
    }

    private async Task PumpFramesAsync(Stream from, Stream to, bool fromNode)
    {
        while (true)
        {
            var header = new byte[2];
            await from.ReadExactlyAsync(header, _stop.Token);
            long length = header[1] & 0x7F;
            bool masked = (header[1] & 0x80) != 0;
            byte[] extended = [];
            if (length == 126) { extended = new byte[2]; await from.ReadExactlyAsync(extended, _stop.Token); length = (extended[0] << 8) | extended[1]; }
            else if (length == 127) { extended = new byte[8]; await from.ReadExactlyAsync(extended, _stop.Token); length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(extended); }
            var mask = new byte[masked ? 4 : 0];
            if (masked) await from.ReadExactlyAsync(mask, _stop.Token);
            var payload = new byte[length];
            await from.ReadExactlyAsync(payload, _stop.Token);

            if (fromNode && (header[0] & 0x0F) == 1)
            {
                var clear = (byte[])payload.Clone();
                for (int i = 0; i < clear.Length; i++) clear[i] ^= mask[i % 4];
                string text = Encoding.UTF8.GetString(clear);
                lock (_fromNode) _fromNode.Add(text);
                if (text.Contains("\"method\":\"connect\"", StringComparison.Ordinal) && Interlocked.Decrement(ref RefuseConnects) >= 0)
                {
                    string id = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
                    const string error = "\"ok\":false,\"error\":{\"code\":\"UNAVAILABLE\",\"message\":\"gateway starting; retry shortly\",\"retryable\":true,\"retryAfterMs\":500,\"details\":{\"reason\":\"startup-sidecars\"}}}";
                    await InjectAsync("{\"type\":\"res\",\"id\":\"" + id + "\"," + error);
                    throw new IOException("refused as a starting gateway");
                }
            }
            if (!fromNode && (header[0] & 0x0F) == 1 && RewriteToNode is { } rewrite)
            {
                payload = Encoding.UTF8.GetBytes(rewrite(Encoding.UTF8.GetString(payload)));
                (header, extended) = Header(payload.Length, binary: false);
            }
            if (!fromNode) await _toNodeLock.WaitAsync(_stop.Token);
            try
            {
                await to.WriteAsync(header, _stop.Token);
                await to.WriteAsync(extended, _stop.Token);
                await to.WriteAsync(mask, _stop.Token);
                await to.WriteAsync(payload, _stop.Token);
            }
            finally
            {
                if (!fromNode) _toNodeLock.Release();
            }
        }
    }

    /// <summary>Sends one unmasked frame to the node, between the gateway's own frames.</summary>
    public async Task InjectAsync(ReadOnlyMemory<byte> payload, bool binary = false)
    {
        var node = _toNode ?? throw new InvalidOperationException("no node connected");
        var (header, extended) = Header(payload.Length, binary);
        await _toNodeLock.WaitAsync(_stop.Token);
        try
        {
            await node.WriteAsync(header, _stop.Token);
            await node.WriteAsync(extended, _stop.Token);
            await node.WriteAsync(payload, _stop.Token);
        }
        finally
        {
            _toNodeLock.Release();
        }
    }

    private static (byte[] Header, byte[] Extended) Header(int length, bool binary)
    {
        byte first = (byte)(0x80 | (binary ? 2 : 1));
        if (length < 126)
            return ([first, (byte)length], []);
        if (length <= ushort.MaxValue)
            return ([first, 126], [(byte)(length >> 8), (byte)length]);
        var len = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(len, (ulong)length);
        return ([first, 127], len);
    }

    public Task InjectAsync(string text) => InjectAsync(Encoding.UTF8.GetBytes(text));

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accepting; } catch (OperationCanceledException) { }
    }
}
