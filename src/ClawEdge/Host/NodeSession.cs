using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using ClawEdge.Logging;
using ClawEdge.State;

using ClawEdge.Gateway;

namespace ClawEdge.Host;

/// <summary>
/// The life of one authenticated link: receive frames, run invokes concurrently (each answered exactly
/// once), report host stats, watch for silence, and on stop let in-flight invokes finish before a
/// clean 1000 close.
/// </summary>
internal sealed class NodeSession
{
    private static readonly TimeSpan ResultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(30);

    private readonly GatewayConnection _connection;
    private readonly CommandRegistry _registry;
    private readonly string _nodeId;
    private readonly int _tickIntervalMs;
    private readonly int _statsIntervalMs;
    private readonly StateStore _state;
    private readonly PayloadBudget _budget;
    private readonly ConcurrentDictionary<string, Invocation> _running = new(StringComparer.Ordinal);

    private sealed record Invocation(CancellationTokenSource Cancel, Task Task);

    public NodeSession(GatewayConnection connection, CommandRegistry registry, string nodeId, HelloOk hello,
        int tickIntervalMs, int statsIntervalMs, StateStore state)
    {
        _connection = connection;
        _registry = registry;
        _nodeId = nodeId;
        _tickIntervalMs = tickIntervalMs;
        _statsIntervalMs = statsIntervalMs;
        _state = state;
        _budget = PayloadBudget.FromPolicy(hello.Policy);
    }

    /// <returns>Why the session ended, in words for the log.</returns>
    public async Task<string> RunAsync(CancellationToken stop)
    {
        // Invokes and housekeeping live as long as the link, not as long as the process: on stop they
        // drain, on link loss they are cancelled (their results could not be delivered elsewhere).
        using var linkDown = new CancellationTokenSource();
        var housekeeping = HousekeepingAsync(linkDown);
        _ = AnnounceAsync(linkDown.Token);
        Task stopping = Task.CompletedTask;
        using var onStop = stop.Register(() => stopping = StopGracefullyAsync(linkDown));

        string reason;
        try
        {
            while (true)
            {
                var frame = await _connection.ReceiveAsync(linkDown.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    reason = _stopping ? "node stopping" : $"gateway closed the link ({(int?)_connection.CloseStatus} {_connection.CloseStatusDescription})";
                    break;
                }
                OnFrame(frame, linkDown.Token);
            }
        }
        catch (OperationCanceledException)
        {
            reason = _stopping ? "node stopping" : $"no frame from the gateway for {2 * _tickIntervalMs} ms (tick timeout)";
        }
        catch (WebSocketException e)
        {
            reason = $"link error: {e.Message}";
        }

        linkDown.Cancel();
        try { await housekeeping.ConfigureAwait(false); } catch (OperationCanceledException) { }
        await stopping.ConfigureAwait(false);
        if (!_stopping)
            _connection.Abort();
        return reason;
    }

    private volatile bool _stopping;

    /// <summary>
    /// True when the session ended itself to reconnect at once: the gateway computes a node's granted capabilities
    /// and plugin surface URLs (<c>pluginSurfaceUrls.canvas</c>) only at connect, so a link opened before the
    /// operator approved the command surface has none of them until the node connects again.
    /// </summary>
    public bool ReconnectRequested { get; private set; }

    /// <summary>SIGTERM: no new invokes, let running ones finish (bounded), then a clean 1000 close.</summary>
    private async Task StopGracefullyAsync(CancellationTokenSource linkDown)
    {
        _stopping = true;
        await DrainAsync().ConfigureAwait(false);
        await _connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "node stopping").ConfigureAwait(false);
        // The receive loop ends when the gateway echoes the close; do not wait for a dead peer forever.
        try { await Task.Delay(3000, linkDown.Token).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
        linkDown.Cancel();
    }

    private async Task ReconnectForGrantAsync()
    {
        Log.Info("command surface approved: reconnecting to receive the granted capabilities");
        await DrainAsync().ConfigureAwait(false);
        try
        {
            await _connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "reconnecting for the approved capabilities").ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The link is already going; the client reconnects either way.
            return;
        }
        // The receive loop ends when the gateway echoes the close; a peer that does not is cut after 3 s.
        await Task.Delay(3000).ConfigureAwait(false);
        try { _connection.Abort(); } catch (ObjectDisposedException) { }
    }

    private async Task DrainAsync()
    {
        var tasks = _running.Values.Select(i => i.Task).ToArray();
        if (tasks.Length == 0)
            return;
        Log.Info($"waiting for {tasks.Length} running invoke(s) before closing");
        try
        {
            await Task.WhenAll(tasks).WaitAsync(DrainLimit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var invocation in _running.Values)
                invocation.Cancel.Cancel();
            await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(2000)).ConfigureAwait(false);
        }
    }

    private void OnFrame(IncomingFrame frame, CancellationToken token)
    {
        if (frame.Type != "event")
        {
            Log.Debug($"ignored gateway frame type={frame.Type} method={frame.Method}");
            return;
        }
        switch (frame.Event)
        {
            case "node.invoke.request":
                StartInvoke(frame.Payload, token);
                break;
            case "node.invoke.cancel":
                var cancel = Parse(frame.Payload, GatewayJsonContext.Default.InvokeCancelPayload);
                if ((cancel?.InvokeId ?? cancel?.Id) is { } id && _running.TryGetValue(id, out var invocation))
                {
                    Log.Info($"invoke {id} cancelled by the gateway");
                    invocation.Cancel.Cancel();
                }
                break;
            case "node.pair.resolved":
                var resolved = Parse(frame.Payload, GatewayJsonContext.Default.PairResolvedPayload);
                Log.Info($"command surface request {resolved?.RequestId} {resolved?.Decision}");
                if (resolved?.Decision == "approved" && (resolved.NodeId is null || resolved.NodeId == _nodeId))
                {
                    _state.UpdateNode(n => { if (n.LastConnect is { } c) { c.SurfaceRequestId = null; c.State = "connected"; } });
                    if (!ReconnectRequested && !_stopping)
                    {
                        ReconnectRequested = true;
                        _ = ReconnectForGrantAsync();
                    }
                }
                break;
            case "shutdown":
                Log.Info("gateway is shutting down; will reconnect");
                break;
            case "tick":
                break;
            default:
                Log.Debug($"ignored gateway event {frame.Event}");
                break;
        }
    }

    private static T? Parse<T>(JsonElement payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) where T : class
    {
        try
        {
            return payload.ValueKind == JsonValueKind.Object ? payload.Deserialize(typeInfo) : null;
        }
        catch (JsonException e)
        {
            Log.Warn($"dropped a malformed {typeof(T).Name}: {e.Message}");
            return null;
        }
    }

    private void StartInvoke(JsonElement payload, CancellationToken token)
    {
        var request = Parse(payload, GatewayJsonContext.Default.InvokeRequestPayload);
        if (request?.Id is not { Length: > 0 } id)
        {
            Log.Warn("dropped a node.invoke.request without an id");
            return;
        }
        if (_stopping)
        {
            _ = AnswerAsync(id, _connection.NextId(), CommandResult.Failure(ErrorCodes.Unavailable, "node is shutting down"));
            return;
        }
        if (_running.ContainsKey(id))
        {
            Log.Warn($"ignored a repeated node.invoke.request {id}");
            return;
        }
        // The result's frame id is fixed now: the budget the handler gets is exact to the byte for that frame.
        string resultId = _connection.NextId();
        var context = new InvokeContext
        {
            Id = id,
            Command = request.Command ?? "",
            ParamsJson = request.ParamsJson ?? (request.Params.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? request.Params.GetRawText() : null),
            TimeoutMs = request.TimeoutMs is > 0 and var t ? t : 30_000,
            IdempotencyKey = request.IdempotencyKey,
            MaxPayloadBytes = _budget.ForResult(resultId, id, _nodeId),
            SendEventAsync = SendEventAsync,
        };
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(token);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = Task.Run(async () =>
        {
            await started.Task.ConfigureAwait(false);
            try
            {
                await InvokeAsync(context, resultId, cancel.Token).ConfigureAwait(false);
            }
            finally
            {
                _running.TryRemove(id, out _);
                cancel.Dispose();
            }
        }, CancellationToken.None);
        _running[id] = new Invocation(cancel, task);
        started.SetResult();
    }

    private async Task InvokeAsync(InvokeContext context, string resultId, CancellationToken token)
    {
        long start = Environment.TickCount64;
        Log.Debug($"invoke {context.Command} ({context.Id}) started");
        var result = await _registry.DispatchAsync(context, token).ConfigureAwait(false);
        Log.Info($"invoke {context.Command} ({context.Id}) → {(result.Ok ? "ok" : result.ErrorCode)} in {Environment.TickCount64 - start} ms");
        await AnswerAsync(context.Id, resultId, result).ConfigureAwait(false);
        if (result.PayloadJson is { Length: >= MemoryTrim.LargeResultChars })
            MemoryTrim.AfterLargeResult();
    }

    private async Task AnswerAsync(string id, string resultId, CommandResult result)
    {
        if (result.Streamed is { } streamed)
        {
            using (streamed)
                await AnswerInPiecesAsync(id, new InvokeResultFrame(resultId, id, _nodeId, streamed)).ConfigureAwait(false);
            return;
        }
        // A result of MBs (a flood's output) goes out in fragments too: no frame-sized buffers to grow and mask.
        if (result.Ok && result.PayloadJson is { Length: >= MemoryTrim.LargeResultChars } large)
        {
            await AnswerInPiecesAsync(id, new InvokeResultFrame(resultId, id, _nodeId, large)).ConfigureAwait(false);
            return;
        }
        var parameters = new InvokeResultParams
        {
            Id = id,
            NodeId = _nodeId,
            Ok = result.Ok,
            PayloadJson = result.Ok ? result.PayloadJson : null,
            Error = result.Ok ? null : new InvokeError { Code = result.ErrorCode ?? ErrorCodes.Unavailable, Message = result.ErrorMessage ?? "" },
        };
        try
        {
            // The result is owed even when the caller cancelled: the gateway answers it with ignored:true.
            var response = await _connection.RequestAsync("node.invoke.result", parameters,
                GatewayJsonContext.Default.RequestFrameInvokeResultParams, ResultTimeout, CancellationToken.None, resultId).ConfigureAwait(false);
            if (response.Ok != true)
                Log.Warn($"gateway refused the result of {id}: {response.Error}");
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            Log.Warn($"could not deliver the result of invoke {id}: {e.Message}");
        }
    }

    /// <summary>A snap, a clip or a long result: written into 64 KiB WebSocket fragments as it is sent.</summary>
    private async Task AnswerInPiecesAsync(string id, InvokeResultFrame frame)
    {
        try
        {
            var response = await _connection.RequestAsync(frame.RequestId, frame.Length, frame.Fill, ResultTimeout, CancellationToken.None).ConfigureAwait(false);
            if (response.Ok != true)
                Log.Warn($"gateway refused the result of {id}: {response.Error}");
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            Log.Warn($"could not deliver the {frame.Length}-byte result of invoke {id}: {e.Message}");
        }
    }

    internal async Task SendEventAsync(string eventName, string payloadJson, CancellationToken token)
    {
        var response = await _connection.RequestAsync("node.event", new NodeEventParams { Event = eventName, PayloadJson = payloadJson },
            GatewayJsonContext.Default.RequestFrameNodeEventParams, ResultTimeout, token).ConfigureAwait(false);
        if (response.Ok != true)
            Log.Debug($"node.event {eventName} refused: {response.Error}");
    }

    /// <summary>First host stats, and whether the command surface still awaits an operator.</summary>
    private async Task AnnounceAsync(CancellationToken token)
    {
        try
        {
            // The surface check first: while it is pending the gateway refuses stats (PAIRING_CHANGED).
            // Right after connect the gateway may not have settled this link's pairing yet; it then answers
            // UNAVAILABLE "… not current; retry" before it lists the pending surface: ask again, briefly.
            var inventory = await _connection.RequestAsync("node.runnerInventory.update", new RunnerInventoryParams(),
                GatewayJsonContext.Default.RequestFrameRunnerInventoryParams, ResultTimeout, token).ConfigureAwait(false);
            for (int attempt = 1; attempt < InventoryAttempts && inventory.Ok != true && IsInventoryRetry(inventory.Error); attempt++)
            {
                Log.Debug($"runner inventory not accepted yet ({inventory.Error!.Message}); retrying");
                await Task.Delay(InventoryRetryDelay, token).ConfigureAwait(false);
                inventory = await _connection.RequestAsync("node.runnerInventory.update", new RunnerInventoryParams(),
                    GatewayJsonContext.Default.RequestFrameRunnerInventoryParams, ResultTimeout, token).ConfigureAwait(false);
            }
            if (inventory.Ok != true && inventory.Error?.Message is { } message && message.Contains("awaiting operator approval", StringComparison.Ordinal))
            {
                string? requestId = SurfaceRequestId(message);
                Log.Warn($"the command surface awaits approval. On the gateway host run:  openclaw nodes approve {requestId ?? "<id from: openclaw nodes pending>"}");
                _state.UpdateNode(n => { if (n.LastConnect is { } c) { c.State = "surface-pending"; c.SurfaceRequestId = requestId; } });
                return; // stats follow on the housekeeping schedule, and right after approval
            }
            await SendStatsAsync(token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            Log.Debug($"announce failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task SendStatsAsync(CancellationToken token)
    {
        try
        {
            await SendEventAsync("node.host.stats", HostStatsReader.ReadJson(), token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or ObjectDisposedException)
        {
            Log.Debug($"host stats not sent: {e.Message}");
        }
    }

    private const int InventoryAttempts = 20;
    private static readonly TimeSpan InventoryRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The gateway's "publication is not current / lost its ownership; retry" answers, not the pending surface.</summary>
    internal static bool IsInventoryRetry(GatewayError? error) =>
        error is { Code: "UNAVAILABLE", Message: { } m } && !m.Contains("awaiting operator approval", StringComparison.Ordinal);

    internal static string? SurfaceRequestId(string message)
    {
        const string marker = "openclaw nodes approve ";
        int at = message.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
            return null;
        var rest = message.AsSpan(at + marker.Length);
        int end = rest.IndexOfAny('`', ' ', ')');
        return (end < 0 ? rest : rest[..end]).ToString();
    }

    /// <summary>Host stats every interval, and the silence check: 2 × tick without any frame means a dead link.</summary>
    private async Task HousekeepingAsync(CancellationTokenSource linkDown)
    {
        var token = linkDown.Token;
        long nextStats = Environment.TickCount64 + _statsIntervalMs;
        long silenceLimit = 2L * _tickIntervalMs;
        while (!token.IsCancellationRequested)
        {
            long now = Environment.TickCount64;
            long untilSilence = silenceLimit - _connection.SilentForMs;
            if (untilSilence <= 0)
            {
                Log.Warn($"no frame from the gateway for {_connection.SilentForMs} ms; reconnecting");
                linkDown.Cancel(); // aborts the socket: a silent peer would not answer a close either
                return;
            }
            if (now >= nextStats)
            {
                nextStats = now + _statsIntervalMs;
                await SendStatsAsync(token).ConfigureAwait(false);
            }
            long wait = Math.Min(untilSilence, nextStats - Environment.TickCount64);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(50, wait)), token).ConfigureAwait(false);
        }
    }
}
