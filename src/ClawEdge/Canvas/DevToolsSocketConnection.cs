using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace ClawEdge.Canvas;

/// <summary>
/// DevTools over the WebSocket of a browser someone else started with <c>--remote-debugging-port</c>
/// (<c>Canvas:AttachPort</c>). Only 127.0.0.1 is ever dialled: whoever reaches that port controls the browser.
/// </summary>
internal sealed class DevToolsSocketConnection : DevToolsConnection
{
    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();

    private DevToolsSocketConnection(ClientWebSocket socket)
    {
        _socket = socket;
        _ = Task.Run(ReadLoopAsync);
    }

    public static async Task<DevToolsSocketConnection> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        if (port is < 1 or > 65535)
            throw new DevToolsException($"Canvas:AttachPort {port} is not a TCP port");
        // /json/version names the browser's WebSocket; its path is kept, its host forced to loopback.
        string path;
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            string json;
            try
            {
                json = await http.GetStringAsync($"http://127.0.0.1:{port}/json/version", cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new DevToolsException($"no DevTools endpoint on 127.0.0.1:{port} ({e.Message}); start the kiosk browser with --remote-debugging-port={port}");
            }
            using var document = JsonDocument.Parse(json);
            string url = document.RootElement.TryGetProperty("webSocketDebuggerUrl", out var u) ? u.GetString() ?? "" : "";
            path = Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed.PathAndQuery
                : throw new DevToolsException($"127.0.0.1:{port}/json/version has no webSocketDebuggerUrl");
        }
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}{path}"), cancellationToken).ConfigureAwait(false);
        return new DevToolsSocketConnection(socket);
    }

    protected override async ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            OnClosed(e.Message);
            throw new DevToolsException($"the attached browser is gone: {e.Message}");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), _stop.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                    continue;
                OnMessage(message.WrittenSpan);
                message.ResetWrittenCount();
            }
            OnClosed("the attached browser closed its DevTools socket");
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            OnClosed($"DevTools socket: {e.Message}");
        }
    }

    public override void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        OnClosed("closed by the node");
    }
}
