using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using ClawEdge.Logging;
using ClawEdge.Platform;

namespace ClawEdge.Gateway;

/// <summary>
/// One WebSocket to the gateway, from TLS handshake to close. Sends are serialized (a WebSocket
/// allows one writer); receives run on one loop that hands responses to their waiting request and
/// events to the session. Frames that cannot be parsed, binary frames and frames over the size
/// limit are dropped with a log line; the link stays up.
/// </summary>
public sealed class GatewayConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<IncomingFrame>> _pending = new(StringComparer.Ordinal);
    private long _nextId;
    private long _lastFrameTicks = Environment.TickCount64;

    private GatewayConnection(ClientWebSocket socket) => _socket = socket;

    /// <summary>Largest frame accepted from the gateway; before <c>hello-ok</c> the pre-auth cap.</summary>
    public int MaxIncomingFrameBytes { get; set; } = GatewayProtocol.PreAuthMaxFrameBytes * 4;

    /// <summary>Milliseconds since any frame (or ping answer) last arrived.</summary>
    public long SilentForMs => Environment.TickCount64 - Interlocked.Read(ref _lastFrameTicks);

    public WebSocketState State => _socket.State;

    /// <summary>
    /// Opens the socket. With a pin, the certificate chain and host name are not consulted: the leaf's
    /// SHA-256 must equal the pin, checked inside the TLS handshake, before any HTTP byte is sent.
    /// </summary>
    public static async Task<GatewayConnection> OpenAsync(GatewayEndpoint endpoint, string userAgent, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("User-Agent", userAgent);
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(25);
        string? seenFingerprint = null;
        if (endpoint.Tls && endpoint.TlsFingerprint is { } pin)
        {
            socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                    return false;
                seenFingerprint = TlsPin.Of(certificate);
                return CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.ASCII.GetBytes(seenFingerprint), System.Text.Encoding.ASCII.GetBytes(pin));
            };
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await socket.ConnectAsync(endpoint.Uri, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            socket.Dispose();
            if (endpoint.TlsFingerprint is { } expected && seenFingerprint is { } actual && actual != expected)
                throw new TlsPinMismatchException(expected, actual);
            if (cancellationToken.IsCancellationRequested)
                throw;
            throw new GatewayUnreachableException($"cannot reach {endpoint}: {Describe(e)}", NeverAccepted(e));
        }
        return new GatewayConnection(socket);
    }

    /// <summary>
    /// The failure in our words. UseSystemResourceKeys keeps the runtime's message texts out of the binary,
    /// so its messages are keys like <c>net_webstatus_ConnectFailure</c>: the common causes are named here.
    /// </summary>
    internal static string Describe(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            string? words = x switch
            {
                SocketException s => s.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused (nothing listens on that port: is the gateway running, and on this port?)",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host name not found (check Gateway:Host and DNS)",
                    SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.NetworkDown or SocketError.HostDown
                        => "no route to the host (is the network up, and the address right?)",
                    SocketError.TimedOut => "connect timed out (the host is down or a firewall drops the packets)",
                    SocketError.ConnectionReset or SocketError.ConnectionAborted => "the connection was reset by the other side",
                    SocketError.AccessDenied => "the connect was denied by a local firewall rule",
                    var code => $"network error {code}",
                },
                AuthenticationException => "TLS handshake failed: the gateway's certificate is not trusted "
                    + "(pin it after checking: clawedge pin --show) or the gateway does not speak TLS on this port",
                WebSocketException { WebSocketErrorCode: WebSocketError.NotAWebSocket }
                    => "the server answered HTTP but not as a WebSocket (wrong port or Gateway:ContextPath?)",
                WebSocketException { WebSocketErrorCode: WebSocketError.ConnectionClosedPrematurely }
                    => "the connection closed during the handshake (a TLS port spoken to in plain ws://, or the other way round?)",
                OperationCanceledException => "timed out",
                _ => null,
            };
            if (words is not null)
                return words;
        }
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            if (!string.IsNullOrEmpty(x.Message))
                parts.Add(x.Message);
        return string.Join(": ", parts.Distinct());
    }

    // Nothing accepted the TCP connect, so the attempt cost the gateway nothing (see ReconnectSchedule).
    private static bool NeverAccepted(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable
                or SocketError.NetworkUnreachable or SocketError.NetworkDown or SocketError.HostDown or SocketError.TimedOut })
                return true;
        return false;
    }

    // Frames are not HTML: escaping quotes and '<' as \u0022 would only inflate command output and media.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public string NextId() => $"{Interlocked.Increment(ref _nextId)}:{Guid.NewGuid()}";

    public async Task SendAsync<T>(T frame, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var buffer = new PooledFrame();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            JsonSerializer.Serialize(writer, frame, typeInfo);
        await SendRawAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A frame being written, in arrays rented from the shared pool. A system.run result is MBs (200 KB of output
    /// escapes to 1.2 MB); an <see cref="ArrayBufferWriter{T}"/> left each frame's doubling arrays as large-object
    /// garbage, which the GC let pile up to ~90 MB over ten floods before a full collection.
    /// </summary>
    private sealed class PooledFrame : IBufferWriter<byte>, IDisposable
    {
        private byte[] _array = LargeArrayPool.Shared.Rent(4096);
        private int _written;

        public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

        private byte[] Ensure(int sizeHint)
        {
            int need = _written + Math.Max(sizeHint, 256);
            if (need > _array.Length)
            {
                var bigger = LargeArrayPool.Shared.Rent(Math.Max(need, _array.Length * 2));
                _array.AsSpan(0, _written).CopyTo(bigger);
                LargeArrayPool.Shared.Return(_array);
                _array = bigger;
            }
            return _array;
        }

        public void Dispose()
        {
            LargeArrayPool.Shared.Return(_array);
            _array = [];
        }
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(utf8Json, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a request and waits for its response frame (ok or not).</summary>
    /// <param name="id">The frame's id when the caller had to know it in advance (to size the frame), else a fresh one.</param>
    public async Task<IncomingFrame> RequestAsync<TParams>(string method, TParams parameters, JsonTypeInfo<RequestFrame<TParams>> typeInfo,
        TimeSpan timeout, CancellationToken cancellationToken, string? id = null)
    {
        id ??= NextId();
        var waiter = new TaskCompletionSource<IncomingFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        try
        {
            await SendAsync(new RequestFrame<TParams> { Id = id, Method = method, Params = parameters }, typeInfo, cancellationToken).ConfigureAwait(false);
            return await waiter.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Bytes of one WebSocket fragment: small enough to stay out of the large-object heap, large enough that a 25 MiB frame is ~400 sends.</summary>
    private const int FragmentBytes = 64 * 1024;

    /// <summary>
    /// Sends request <paramref name="id"/> as one text message of <paramref name="length"/> bytes that
    /// <paramref name="fill"/> produces piece by piece, each piece a WebSocket fragment: a frame of any size costs one
    /// 64 KiB buffer here (and in the socket's masking), never a copy of the frame. Other frames wait for the
    /// message to end (a WebSocket cannot interleave messages); pings and pongs still pass between fragments.
    /// </summary>
    public async Task<IncomingFrame> RequestAsync(string id, long length, FrameFiller fill, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<IncomingFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        byte[] buffer = LargeArrayPool.Shared.Rent(FragmentBytes);
        try
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                long sent = 0;
                do
                {
                    int n = fill(buffer);
                    if (n == 0)
                        throw new InvalidOperationException($"frame ended after {sent} of {length} bytes");
                    sent += n;
                    await _socket.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Text, endOfMessage: sent >= length, cancellationToken).ConfigureAwait(false);
                }
                while (sent < length);
            }
            finally
            {
                _sendLock.Release();
            }
            return await waiter.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            LargeArrayPool.Shared.Return(buffer);
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Reads the next frame. Returns null when the socket closed. Responses to pending requests are consumed here.</summary>
    public async Task<IncomingFrame?> ReceiveAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = LargeArrayPool.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                int length = 0;
                bool oversized = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length && !oversized)
                    {
                        if (buffer.Length >= MaxIncomingFrameBytes)
                        {
                            oversized = true;
                        }
                        else
                        {
                            var bigger = LargeArrayPool.Shared.Rent(Math.Min(buffer.Length * 2, MaxIncomingFrameBytes));
                            buffer.AsSpan(0, length).CopyTo(bigger);
                            LargeArrayPool.Shared.Return(buffer);
                            buffer = bigger;
                        }
                    }
                    var target = oversized ? buffer.AsMemory() : buffer.AsMemory(length);
                    result = await _socket.ReceiveAsync(target, cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                        return null;
                    length += result.Count;
                    if (!oversized && length > MaxIncomingFrameBytes)
                        oversized = true;
                }
                while (!result.EndOfMessage);

                Interlocked.Exchange(ref _lastFrameTicks, Environment.TickCount64);
                if (oversized)
                {
                    Log.Warn($"dropped a {length}-byte frame from the gateway (limit {MaxIncomingFrameBytes})");
                    continue;
                }
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    Log.Warn($"dropped a {length}-byte binary frame from the gateway (the protocol is text only)");
                    continue;
                }
                IncomingFrame? frame;
                try
                {
                    frame = JsonSerializer.Deserialize(buffer.AsSpan(0, length), GatewayJsonContext.Default.IncomingFrame);
                }
                catch (JsonException e)
                {
                    // Frames may carry tokens; log the shape of the problem, never the content.
                    Log.Warn($"dropped a malformed {length}-byte frame from the gateway: {e.Message}");
                    continue;
                }
                if (frame?.Type is null)
                {
                    Log.Warn($"dropped a {length}-byte frame without a type");
                    continue;
                }
                if (frame.Type == "res" && frame.Id is { } id && _pending.TryGetValue(id, out var waiter))
                {
                    waiter.TrySetResult(frame);
                    continue;
                }
                return frame;
            }
        }
        finally
        {
            LargeArrayPool.Shared.Return(buffer);
        }
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;
    public string? CloseStatusDescription => _socket.CloseStatusDescription;

    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                await _socket.CloseAsync(status, reason, timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }

    /// <summary>Sends our close frame without waiting; the receive loop sees the gateway's answer.</summary>
    public async Task CloseOutputAsync(WebSocketCloseStatus status, string reason)
    {
        if (_socket.State != WebSocketState.Open)
            return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                await _socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }

    public void Abort() => _socket.Abort();

    public ValueTask DisposeAsync()
    {
        foreach (var waiter in _pending.Values)
            waiter.TrySetCanceled();
        _socket.Dispose();
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Writes the next bytes of an outgoing frame into <paramref name="destination"/>; returns how many.</summary>
public delegate int FrameFiller(Span<byte> destination);

public sealed class TlsPinMismatchException(string expected, string actual)
    : Exception($"gateway TLS certificate fingerprint mismatch: pinned sha256:{expected}, gateway presented sha256:{actual}. "
        + $"If the gateway's certificate was renewed on purpose, re-pin with: clawedge pin {actual}")
{
    public string Expected { get; } = expected;
    public string Actual { get; } = actual;
}

public sealed class GatewayUnreachableException(string message, bool neverAccepted = false) : Exception(message)
{
    /// <summary>TCP was refused or unreachable: no gateway process saw the attempt.</summary>
    public bool NeverAccepted { get; } = neverAccepted;
}
