using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using ClawEdge.Logging;
using ClawEdge.Host;
using ClawEdge.State;

namespace ClawEdge.Gateway;

/// <summary>Credentials the node may present. The bootstrap token is forgotten after its one use.</summary>
public sealed class GatewayCredentials
{
    public string? SharedToken { get; init; }
    public string? Password { get; init; }
    public string? BootstrapToken { get; set; }

    /// <summary><c>--pair</c>: the setup code wins over a stored device token. <c>--pair-if-needed</c>: it does not.</summary>
    public bool PreferBootstrap { get; set; }
}

/// <summary>What a supervisor (systemd, <c>clawedge status</c>) is told about the link.</summary>
public enum LinkState
{
    Connecting,
    Connected,
    PairingRequired,
    Disconnected,
}

/// <summary>
/// Keeps the node connected: connect, handshake, serve, and on any loss reconnect on the
/// <see cref="ReconnectSchedule"/>, forever, until stopped. The endpoint and pin are resolved again before
/// every connect, so <c>clawedge pin</c> reaches a running node. Each failure kind has its own remedy
/// (pairing → wait for the operator and say which command to run; revoked device token → forget it;
/// start-up → retry after the gateway's hint).
/// </summary>
public sealed class GatewayClient
{
    private const int PairingRetryMs = 5_000;

    private readonly Func<GatewayEndpoint> _resolveEndpoint;
    private GatewayEndpoint _endpoint;
    private readonly GatewayCredentials _credentials;
    private readonly StateStore _state;
    private readonly DeviceIdentity _identity;
    private readonly CommandRegistry _registry;
    private readonly NodeDescription _description;
    private readonly int _maxBackoffMs;
    private readonly int _statsIntervalMs;
    private readonly HashSet<string> _announcedRequests = new(StringComparer.Ordinal);

    /// <param name="resolveEndpoint">Called before every connect; an exception keeps the previous endpoint.</param>
    public GatewayClient(Func<GatewayEndpoint> resolveEndpoint, GatewayCredentials credentials, StateStore state, DeviceIdentity identity,
        CommandRegistry registry, NodeDescription description, int maxBackoffMs = 30_000, int statsIntervalMs = 60_000)
    {
        _resolveEndpoint = resolveEndpoint;
        _endpoint = resolveEndpoint();
        _credentials = credentials;
        _state = state;
        _identity = identity;
        _registry = registry;
        _description = description;
        _maxBackoffMs = maxBackoffMs;
        _statsIntervalMs = statsIntervalMs;
    }

    /// <summary>Raised on every link change, with a line a person can read (for systemd's STATUS=).</summary>
    public event Action<LinkState, string>? StateChanged;

    /// <summary>Set by <c>--once-connected-exit</c>-style callers: stop after the first <c>hello-ok</c>.</summary>
    public bool ExitAfterHello { get; init; }

    /// <summary>Given to capabilities that talk to the gateway outside an invoke; attached while a link is up.</summary>
    public NodeLink? Link { get; init; }

    /// <summary>Time of the last frame on the live link, for watchdog pings; null when not connected.</summary>
    public Func<bool> IsHealthy => () => _live is { } c && c.State == WebSocketState.Open && c.SilentForMs < 2L * _tickIntervalMs + 5_000;

    private GatewayConnection? _live;
    private int _tickIntervalMs = 30_000;

    /// <summary>The endpoint of the current or last connect.</summary>
    public GatewayEndpoint Endpoint => _endpoint;

    // Consecutive failures after TCP accepted, and since when connects are refused (null: they are not).
    private int _failuresAfterAccept;
    private long? _refusedSince;

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var outcome = await SessionAsync(stop).ConfigureAwait(false);
            if (stop.IsCancellationRequested || outcome.Exit)
                break;
            int delay = outcome.DelayMs;
            Log.Debug($"reconnecting in {delay} ms");
            try
            {
                await Task.Delay(delay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private readonly record struct Outcome(int DelayMs, bool Exit = false);

    private long? _startingSince;

    /// <summary>The gateway said it is starting: come back when it says, unless it has said so for too long.</summary>
    private Outcome GatewayStarting(int? retryAfterMs)
    {
        long now = Environment.TickCount64;
        if (_startingSince is null)
            Log.Info($"gateway {_endpoint} is starting; retrying every {ReconnectSchedule.StartupRetryAfter(retryAfterMs)} ms as it asks");
        _startingSince ??= now;
        RecordStatus("unreachable", "gateway starting");
        if (now - _startingSince.Value > ReconnectSchedule.StartupPatienceMs)
            return AfterAccept(atLeastMs: ReconnectSchedule.StartupRetryAfter(retryAfterMs));
        return new Outcome(ReconnectSchedule.StartupRetryDelay(retryAfterMs, Random.Shared.NextDouble()));
    }

    /// <summary>A failure after TCP accepted: the gateway did work for us, so the wait grows.</summary>
    private Outcome AfterAccept(int? atLeastMs = null)
    {
        _failuresAfterAccept++;
        int delay = ReconnectSchedule.BackoffDelay(_failuresAfterAccept, _maxBackoffMs, Random.Shared.NextDouble());
        return new Outcome(Math.Max(delay, atLeastMs ?? 0));
    }

    private void ResolveEndpoint()
    {
        GatewayEndpoint next;
        try
        {
            next = _resolveEndpoint();
        }
        catch (Exception e) when (e is StateException or IOException or UnauthorizedAccessException)
        {
            Log.Warn($"keeping {_endpoint}: {e.Message}");
            return;
        }
        if (next != _endpoint)
        {
            Log.Info(next.TlsFingerprint != _endpoint.TlsFingerprint && next.Uri == _endpoint.Uri
                ? $"the pin for {next} is now sha256:{next.TlsFingerprint ?? "(none: CA-verified)"}"
                : $"the gateway endpoint is now {next}");
            _endpoint = next;
        }
    }

    private async Task<Outcome> SessionAsync(CancellationToken stop)
    {
        ResolveEndpoint();
        // While the gateway keeps refusing our credential, systemctl status keeps saying so (not "connecting").
        StateChanged?.Invoke(LinkState.Connecting, _authRefused ?? $"connecting to {_endpoint}");
        GatewayConnection connection;
        try
        {
            connection = await GatewayConnection.OpenAsync(_endpoint, _description.UserAgent, stop).ConfigureAwait(false);
        }
        catch (TlsPinMismatchException e)
        {
            _refusedSince = null;
            Log.Error(e.Message);
            RecordStatus("rejected", e.Message);
            StateChanged?.Invoke(LinkState.Disconnected, "TLS pin mismatch");
            return AfterAccept();
        }
        catch (GatewayUnreachableException e)
        {
            RecordStatus("unreachable", e.Message);
            StateChanged?.Invoke(LinkState.Disconnected, "gateway unreachable");
            if (!e.NeverAccepted)
            {
                _refusedSince = null;
                Log.Warn(e.Message);
                return AfterAccept();
            }
            // Refused connects cost the gateway nothing: probe on, and say it once, not twice a second.
            if (_refusedSince is null)
                Log.Warn($"{e.Message}; probing every {ReconnectSchedule.ProbeMinMs}-{ReconnectSchedule.ProbeMaxMs} ms");
            _refusedSince ??= Environment.TickCount64;
            _startingSince = null; // a gateway that went away while starting gets its full patience when it is back
            return new Outcome(ReconnectSchedule.ProbeDelay(Environment.TickCount64 - _refusedSince.Value, Random.Shared.NextDouble()));
        }
        catch (OperationCanceledException)
        {
            return new Outcome(0);
        }
        _refusedSince = null;

        await using (connection.ConfigureAwait(false))
        {
            HelloOk hello;
            try
            {
                hello = await HandshakeAsync(connection, stop).ConfigureAwait(false);
            }
            catch (GatewayRejectedException e)
            {
                return OnRejected(e.Error);
            }
            catch (Exception e) when (e is WebSocketException or TimeoutException or GatewayProtocolException or OperationCanceledException)
            {
                if (stop.IsCancellationRequested)
                    return new Outcome(0);
                // 1013 "gateway starting": the close can overtake the UNAVAILABLE answer it follows.
                if (connection.CloseStatus == (WebSocketCloseStatus)1013)
                    return GatewayStarting(null);
                string why = connection.CloseStatus is { } code ? $"closed {(int)code} {connection.CloseStatusDescription}" : GatewayConnection.Describe(e);
                Log.Warn($"handshake with {_endpoint} failed: {why}");
                RecordStatus("unreachable", why);
                return AfterAccept();
            }

            _tickIntervalMs = hello.Policy?.TickIntervalMs is > 0 and var t ? t : 30_000;
            connection.MaxIncomingFrameBytes = hello.Policy?.MaxPayload is > 0 and var m ? m : GatewayProtocol.DefaultMaxPayloadBytes;
            OnHello(hello);
            _authRefused = null;
            _startingSince = null;
            StateChanged?.Invoke(LinkState.Connected, $"connected to {_endpoint} as {_identity.DeviceId[..12]}");
            if (ExitAfterHello)
            {
                await connection.CloseAsync(WebSocketCloseStatus.NormalClosure, "node stopping").ConfigureAwait(false);
                return new Outcome(0, Exit: true);
            }

            _live = connection;
            long connectedAt = Environment.TickCount64;
            var session = new NodeSession(connection, _registry, _identity.DeviceId, hello, _tickIntervalMs, _statsIntervalMs, _state);
            Link?.Attach(
                async (method, paramsJson, timeout, token) =>
                {
                    using var parameters = JsonDocument.Parse(paramsJson);
                    var response = await connection.RequestAsync(method, parameters.RootElement, GatewayJsonContext.Default.RequestFrameJsonElement, timeout, token).ConfigureAwait(false);
                    return (response.Ok == true, response.Payload, response.Error?.ToString());
                },
                session.SendEventAsync, hello.PluginSurfaceUrls);
            string reason = await session.RunAsync(stop).ConfigureAwait(false);
            Link?.Detach();
            _live = null;
            StateChanged?.Invoke(LinkState.Disconnected, reason);
            if (stop.IsCancellationRequested)
                return new Outcome(0);
            if (session.ReconnectRequested)
                return new Outcome(0);
            Log.Warn($"gateway link lost: {reason}");
            RecordStatus("disconnected", reason);
            if (connection.CloseStatus == (WebSocketCloseStatus)4001)
            {
                // `openclaw nodes remove`: the device token is dead; the next connect shows the right remedy.
                Log.Warn("the gateway removed this device; it must be paired again");
            }
            // A link that lived a while earns a fresh schedule; one that dies at once keeps growing the backoff.
            _failuresAfterAccept = ReconnectSchedule.AfterLinkLost(_failuresAfterAccept, Environment.TickCount64 - connectedAt);
            return new Outcome(ReconnectSchedule.AfterLinkLostDelay(_failuresAfterAccept, _maxBackoffMs, Random.Shared.NextDouble()));
        }
    }

    private async Task<HelloOk> HandshakeAsync(GatewayConnection connection, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        ChallengePayload? challenge = null;
        while (challenge is null)
        {
            var frame = await connection.ReceiveAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new GatewayProtocolException("closed before connect.challenge");
            if (frame is { Type: "event", Event: "connect.challenge" })
                challenge = frame.Payload.Deserialize(GatewayJsonContext.Default.ChallengePayload);
        }
        if (string.IsNullOrEmpty(challenge.Nonce))
            throw new GatewayProtocolException("connect.challenge without a nonce");

        var auth = SelectAuth(out string? signedToken);
        // signedAt is the gateway's own clock from the challenge: a Pi without RTC may be hours off.
        var device = new DeviceProof
        {
            Id = _identity.DeviceId,
            PublicKey = _identity.PublicKeyBase64Url,
            Signature = _identity.SignBase64Url(GatewayProtocol.SignaturePayloadV3(_identity.DeviceId, challenge.Ts, signedToken, challenge.Nonce)),
            SignedAt = challenge.Ts,
            Nonce = challenge.Nonce,
        };
        var parameters = new ConnectParams
        {
            Client = _description.Client,
            Caps = _description.Caps,
            Commands = _description.Commands,
            Permissions = _description.Permissions,
            PathEnv = _description.PathEnv,
            Auth = auth,
            Device = device,
            UserAgent = _description.UserAgent,
        };
        // No receive loop runs yet, so the handshake reads its own response.
        string id = connection.NextId();
        await connection.SendAsync(new RequestFrame<ConnectParams> { Id = id, Method = "connect", Params = parameters },
            GatewayJsonContext.Default.RequestFrameConnectParams, timeout.Token).ConfigureAwait(false);
        IncomingFrame response;
        do
        {
            response = await connection.ReceiveAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new GatewayProtocolException($"closed during connect ({(int?)connection.CloseStatus} {connection.CloseStatusDescription})");
        }
        while (response.Type != "res" || response.Id != id);
        if (response.Ok != true)
            throw new GatewayRejectedException(response.Error ?? new GatewayError { Code = "UNKNOWN", Message = "connect refused without an error" });
        var hello = response.Payload.Deserialize(GatewayJsonContext.Default.HelloOk);
        if (hello?.Type != "hello-ok")
            throw new GatewayProtocolException($"unexpected connect response type '{hello?.Type}'");
        return hello;
    }

    /// <summary>
    /// Device token first (it needs no shared secret on the device), then the shared token or password,
    /// then the bootstrap token. <c>--pair</c> puts the bootstrap token first.
    /// </summary>
    private ConnectAuth SelectAuth(out string? signedToken)
    {
        string? deviceToken;
        try
        {
            deviceToken = _state.LoadNode().DeviceTokens.TryGetValue(_endpoint.Origin, out var stored) ? stored.Token : null;
        }
        catch (StateException e)
        {
            Log.Warn(e.Message);
            deviceToken = null;
        }
        // A token the gateway gave this process but the state directory could not keep (read-only, full).
        if (deviceToken is null && _issuedToken is { } issued && issued.Origin == _endpoint.Origin)
            deviceToken = issued.Token;
        if (_credentials.BootstrapToken is { } bootstrap && (_credentials.PreferBootstrap || deviceToken is null))
        {
            signedToken = bootstrap;
            return new ConnectAuth { BootstrapToken = bootstrap };
        }
        if (deviceToken is not null)
        {
            signedToken = deviceToken;
            return new ConnectAuth { DeviceToken = deviceToken };
        }
        if (_credentials.SharedToken is { } shared)
        {
            signedToken = shared;
            return new ConnectAuth { Token = shared };
        }
        signedToken = null; // a password is never part of the signed payload
        return _credentials.Password is { } password ? new ConnectAuth { Password = password } : new ConnectAuth();
    }

    private void OnHello(HelloOk hello)
    {
        string method = hello.Auth?.Method ?? "?";
        Log.Info($"connected to {_endpoint} (gateway {hello.Server?.Version}, protocol {hello.Protocol}, auth {method}) as device {_identity.DeviceId}");
        if (method == "bootstrap-token")
        {
            _credentials.BootstrapToken = null; // single use: consumed now
            _credentials.PreferBootstrap = false;
        }
        _announcedRequests.Clear();
        _lastRecorded = null;
        string? token = hello.Auth?.DeviceToken;
        if (token is not null)
            _issuedToken = (_endpoint.Origin, token);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _state.UpdateNode(node =>
        {
            if (token is not null && (!node.DeviceTokens.TryGetValue(_endpoint.Origin, out var old) || old.Token != token))
                node.DeviceTokens[_endpoint.Origin] = new DeviceToken { Token = token, UpdatedAtMs = now };
            node.LastConnect = new ConnectStatus { Url = _endpoint.Origin, AtMs = now, ConnectedAtMs = now, State = "connected" };
        });
    }

    private Outcome OnRejected(GatewayError error)
    {
        string detail = error.DetailCode ?? "";
        switch (error.Code, detail)
        {
            case ("NOT_PAIRED", _) when detail is "PAIRING_REQUIRED" || error.DetailString("requestId") is not null:
            {
                string? requestId = error.DetailString("requestId");
                string reason = error.DetailString("reason") ?? "not-paired";
                if (requestId is not null && _announcedRequests.Add(requestId))
                {
                    Log.Warn($"device pairing required ({reason}). On the gateway host run:  openclaw devices approve {requestId}   — this node retries on its own");
                }
                RecordStatus("pairing-required", $"openclaw devices approve {requestId}", pairingRequestId: requestId);
                StateChanged?.Invoke(LinkState.PairingRequired, $"waiting for: openclaw devices approve {requestId}");
                _failuresAfterAccept = 0; // waiting for an operator is not the gateway failing
                return new Outcome(PairingRetryMs + Random.Shared.Next(0, 1000));
            }
            case ("NOT_PAIRED", "DEVICE_IDENTITY_REQUIRED"):
                return Fatal(error, "the gateway requires a device identity (this is a bug)");
            case (_, "AUTH_DEVICE_TOKEN_MISMATCH"):
                _issuedToken = null;
                _state.UpdateNode(node => node.DeviceTokens.Remove(_endpoint.Origin));
                if (_credentials.SharedToken is not null || _credentials.Password is not null || _credentials.BootstrapToken is not null)
                {
                    Log.Warn("the gateway no longer knows this device token (device removed or revoked); forgot it, connecting with the shared credential to ask for pairing again");
                    return new Outcome(500);
                }
                return Fatal(error, "the gateway revoked this device's token. Give the node a new setup code (clawedge run --pair <code>) or set OPENCLAW_GATEWAY_TOKEN");
            case (_, "AUTH_TOKEN_MISMATCH"):
                return Fatal(error, "the gateway rejected OPENCLAW_GATEWAY_TOKEN (wrong or rotated token)");
            case (_, "AUTH_BOOTSTRAP_TOKEN_INVALID"):
                _credentials.BootstrapToken = null;
                return Fatal(error, "the setup code was already used or has expired; ask the operator for a new one");
            case (_, "PROTOCOL_MISMATCH"):
                return Fatal(error, $"the gateway speaks another protocol version (this node speaks {GatewayProtocol.Version}); upgrade one side");
            case ("UNAVAILABLE", _) when error.Retryable == true && error.DetailString("reason") == "startup-sidecars":
                return GatewayStarting(error.RetryAfterMs);
            case ("UNAVAILABLE", _) when error.Retryable == true:
                Log.Info($"gateway not ready ({error.Message}); retrying");
                return AfterAccept(atLeastMs: Math.Clamp(error.RetryAfterMs ?? 100, 100, 2000));
        }
        if (error.RetryAfterMs is { } after)
            return AfterAccept(atLeastMs: Math.Clamp(after, 100, _maxBackoffMs));
        return Fatal(error, "connect refused");
    }

    // Not fatal to the process: a node on an appliance keeps retrying at the slowest pace, so fixing the
    // gateway side is enough. The log line says what to do.
    private Outcome Fatal(GatewayError error, string advice)
    {
        string code = error.DetailCode ?? error.Code ?? "";
        bool auth = code.StartsWith("AUTH_", StringComparison.Ordinal);
        string line = auth ? $"authentication refused: {code} — {advice}" : advice;
        _authRefused = auth ? line : null;
        Log.Error($"{line} [{error}]");
        RecordStatus(auth ? "auth-refused" : "rejected", $"{line} [{error}]");
        StateChanged?.Invoke(LinkState.Disconnected, line);
        _failuresAfterAccept++;
        return new Outcome(_maxBackoffMs);
    }

    private string? _authRefused;

    private string? _lastRecorded;
    private (string Origin, string Token)? _issuedToken;

    // Only state changes are written: an SD card should not see a write per retry.
    private void RecordStatus(string state, string detail, string? pairingRequestId = null)
    {
        string key = $"{state}|{detail}";
        if (key == _lastRecorded)
            return;
        _lastRecorded = key;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _state.UpdateNode(node =>
        {
            long? connectedAt = node.LastConnect?.ConnectedAtMs;
            node.LastConnect = new ConnectStatus
            {
                Url = _endpoint.Origin, AtMs = now, State = state, Detail = detail,
                PairingRequestId = pairingRequestId, ConnectedAtMs = connectedAt,
            };
        });
    }
}

public sealed class GatewayRejectedException(GatewayError error) : Exception(error.ToString())
{
    public GatewayError Error { get; } = error;
}

public sealed class GatewayProtocolException(string message) : Exception(message);
