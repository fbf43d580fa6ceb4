using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;

namespace ClawEdge.Canvas;

/// <summary>An event from the browser: its method, the target session it came from (null: the browser), its params.</summary>
internal readonly record struct DevToolsEvent(string Method, string? SessionId, JsonElement Params);

/// <summary>
/// The Chrome DevTools protocol over one channel to the browser (a pipe the node owns, or a loopback WebSocket):
/// numbered commands answered out of order, events to one listener. Subclasses move whole JSON messages.
/// </summary>
internal abstract class DevToolsConnection : IDisposable
{
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;

    /// <summary>Raised on the reader thread for every event; handlers must not block.</summary>
    public event Action<DevToolsEvent>? EventReceived;

    /// <summary>Completes with the reason when the channel is gone (browser exited, socket closed).</summary>
    public Task<string> Closed => _closed.Task;

    /// <summary>Sends a command and returns its <c>result</c>; a protocol error is a <see cref="DevToolsException"/>.</summary>
    /// <param name="writeParams">Writes the members of <c>params</c> (the object is opened and closed here); null: no params.</param>
    public async Task<JsonElement> SendAsync(string method, Action<Utf8JsonWriter>? writeParams, string? sessionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_closed.Task.IsCompleted)
            throw new DevToolsException($"the browser connection is closed ({_closed.Task.Result})");
        int id = Interlocked.Increment(ref _nextId);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", id);
            writer.WriteString("method", method);
            if (sessionId is not null)
                writer.WriteString("sessionId", sessionId);
            writer.WriteStartObject("params");
            writeParams?.Invoke(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        try
        {
            await WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            return await waiter.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DevToolsException($"the browser did not answer {method} within {timeout.TotalMilliseconds:F0} ms", timedOut: true);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Writes one whole message (without any terminator: the transport adds its own framing).</summary>
    protected abstract ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>One whole message from the browser.</summary>
    protected void OnMessage(ReadOnlySpan<byte> message)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message.ToArray());
        }
        catch (JsonException e)
        {
            Logging.Log.Warn($"canvas: dropped a malformed DevTools message: {e.Message}");
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.TryGetProperty("id", out var idElement) && idElement.TryGetInt32(out int id))
            {
                if (!_pending.TryGetValue(id, out var waiter))
                    return;
                if (root.TryGetProperty("error", out var error))
                    waiter.TrySetException(new DevToolsException(error.TryGetProperty("message", out var m) ? m.GetString() ?? "error" : error.GetRawText()));
                else
                    waiter.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
                return;
            }
            if (EventReceived is not { } handler || !root.TryGetProperty("method", out var method))
                return;
            string? session = root.TryGetProperty("sessionId", out var s) ? s.GetString() : null;
            var parameters = root.TryGetProperty("params", out var p) ? p.Clone() : default;
            try
            {
                handler(new DevToolsEvent(method.GetString() ?? "", session, parameters));
            }
            catch (Exception e)
            {
                Logging.Log.Warn($"canvas: DevTools event handler failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    /// <summary>The channel ended: every waiting command fails.</summary>
    protected void OnClosed(string reason)
    {
        if (!_closed.TrySetResult(reason))
            return;
        foreach (var waiter in _pending.Values)
            waiter.TrySetException(new DevToolsException($"the browser connection closed ({reason})"));
    }

    public abstract void Dispose();
}

public sealed class DevToolsException(string message, bool timedOut = false) : Exception(message)
{
    public bool TimedOut { get; } = timedOut;
}
