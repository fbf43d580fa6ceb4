using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ClawEdge.Logging;
using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary>A window rectangle on the screen, in pixels; absent members take the screen's.</summary>
public sealed record Placement(int? X, int? Y, int? Width, int? Height);

/// <summary>What a page load reports: the URL asked for, the page's title and where it ended after redirects.</summary>
public sealed record PageInfo(string Url, string Title, string FinalUrl);

/// <summary>
/// The kiosk browser and what it shows. One page target, driven over DevTools; every operation runs under one
/// lock, so commands see the browser in a known state. When the browser dies it is started again (1 s doubling to
/// 30 s between attempts, reset after a minute of life) and shows again what it showed: the presented page, placed
/// where it was, or Home when hidden. A command that arrives while it is down starts it at once.
/// </summary>
public sealed class CanvasBrowser : IAsyncDisposable
{
    /// <summary>What "nothing shown" looks like without <c>Canvas:Home</c>.</summary>
    public const string BlackPage = "data:text/html,%3Chtml%20style%3D%22background%3A%23000%22%3E%3Ctitle%3Ecanvas%3C%2Ftitle%3E%3C%2Fhtml%3E";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);
    private const int MaxBackoffMs = 30_000;

    private readonly CanvasOptions _options;
    private readonly string _profileDirectory;
    private readonly NodeLink _link;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _loads = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    private ChromiumProcess? _process;
    private DevToolsConnection? _cdp;
    private string? _session;
    private string? _targetId;
    private int? _windowId;
    private Placement? _appliedPlacement;
    private bool _placementApplied;
    private long _startedAt;
    private int _failures;

    // What the canvas should show; restored after a restart.
    private string? _presentedUrl;
    private Placement? _placement;
    private bool _hidden = true;
    private bool _a2uiShown;

    public CanvasBrowser(CanvasOptions options, string profileDirectory, NodeLink link)
    {
        _options = options;
        _profileDirectory = profileDirectory;
        _link = link;
    }

    /// <summary>The browser's pid (null when attached to someone else's browser, or down).</summary>
    public int? BrowserPid => _process?.Pid;

    /// <summary>Milliseconds from spawn to the first page attached, for the last start.</summary>
    public long LastStartMs { get; private set; }

    private string HomeUrl
    {
        get
        {
            if (_options.Home is not { Length: > 0 } home)
                return BlackPage;
            try
            {
                return CanvasUrlPolicy.Check(home, _options.FilesDirectory);
            }
            catch (CommandException e)
            {
                Log.Warn($"canvas: Canvas:Home is not shown: {e.Message}");
                return BlackPage;
            }
        }
    }

    /// <summary>Starts the browser in the background so Home shows from the node's start.</summary>
    public void StartInBackground() => _ = Task.Run(async () =>
    {
        try
        {
            await WithBrowserAsync(static _ => Task.FromResult(0), _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CanvasException or DevToolsException or CommandException or IOException or OperationCanceledException)
        {
            Log.Warn($"canvas: the browser did not start: {e.Message}");
            ScheduleRestart();
        }
    });

    public Task<PageInfo> PresentAsync(string? url, Placement? placement, CancellationToken cancellationToken) =>
        WithBrowserAsync(async token =>
        {
            _placement = placement;
            await ApplyPlacementAsync(token).ConfigureAwait(false);
            if (url is null && !_hidden)
                return await PageInfoAsync(_presentedUrl ?? "", token).ConfigureAwait(false);
            if (url is null && _a2uiShown)
            {
                _hidden = false;
                return await PageInfoAsync("", token).ConfigureAwait(false);
            }
            string target = url ?? _presentedUrl ?? HomeUrl;
            var info = await ShowAsync(target, token).ConfigureAwait(false);
            _presentedUrl = target;
            _hidden = false;
            return info;
        }, cancellationToken);

    public Task<PageInfo> NavigateAsync(string url, CancellationToken cancellationToken) =>
        WithBrowserAsync(async token =>
        {
            var info = await ShowAsync(url, token).ConfigureAwait(false);
            _presentedUrl = url;
            _hidden = false;
            return info;
        }, cancellationToken);

    public Task<PageInfo> HideAsync(CancellationToken cancellationToken) =>
        WithBrowserAsync(async token =>
        {
            var info = await ShowAsync(HomeUrl, token).ConfigureAwait(false);
            _hidden = true;
            return info;
        }, cancellationToken);

    /// <summary>Runs JavaScript in the shown page; the value as text (strings as they are, other values as JSON).</summary>
    public Task<string> EvaluateAsync(string javaScript, int timeoutMs, CancellationToken cancellationToken) =>
        WithBrowserAsync(async token =>
        {
            JsonElement result;
            long started = Environment.TickCount64;
            try
            {
                result = await SendAsync("Runtime.evaluate", w =>
                {
                    w.WriteString("expression", javaScript);
                    w.WriteBoolean("returnByValue", true);
                    w.WriteBoolean("awaitPromise", true);
                    w.WriteBoolean("userGesture", true);
                    // Stops a script that never yields (a busy loop) in the renderer, so the page lives on.
                    w.WriteNumber("timeout", timeoutMs);
                }, TimeSpan.FromMilliseconds(timeoutMs + 1000), token).ConfigureAwait(false);
            }
            catch (DevToolsException e) when (e.TimedOut)
            {
                throw new CommandException(ErrorCodes.Timeout, $"canvas.eval did not finish within {timeoutMs} ms (a promise that never settles?)");
            }
            catch (DevToolsException) when (Environment.TickCount64 - started >= timeoutMs - 100)
            {
                // Chromium answers a script it stopped at the timeout (a busy loop) with a bare "Internal error".
                throw new CommandException(ErrorCodes.Timeout, $"canvas.eval did not finish within {timeoutMs} ms and was stopped");
            }
            if (result.TryGetProperty("exceptionDetails", out var exception))
            {
                string text = ExceptionText(exception);
                if (text.Contains("Execution was terminated", StringComparison.Ordinal))
                    throw new CommandException(ErrorCodes.Timeout, $"canvas.eval did not finish within {timeoutMs} ms and was stopped");
                throw new CommandException(ErrorCodes.InvalidRequest, $"INVALID_REQUEST: canvas.eval threw: {text}");
            }
            return ValueText(result.GetProperty("result"));
        }, cancellationToken);

    /// <summary>A screenshot of the page: base64 as the browser made it, and its real size.</summary>
    public Task<(string Base64, int Width, int Height)> SnapshotAsync(string format, int maxWidth, int quality, int maxBase64Chars, CancellationToken cancellationToken) =>
        WithBrowserAsync(async token =>
        {
            var size = await SendAsync("Runtime.evaluate", w =>
            {
                w.WriteString("expression", "[innerWidth, innerHeight]");
                w.WriteBoolean("returnByValue", true);
            }, CommandTimeout, token).ConfigureAwait(false);
            var value = size.GetProperty("result").GetProperty("value");
            int viewWidth = Math.Max(1, value[0].GetInt32()), viewHeight = Math.Max(1, value[1].GetInt32());
            int width = maxWidth > 0 ? Math.Min(maxWidth, viewWidth) : viewWidth;
            for (int attempt = 1; ; attempt++)
            {
                double scale = (double)width / viewWidth;
                var shot = await SendAsync("Page.captureScreenshot", w =>
                {
                    w.WriteString("format", format);
                    if (format == "jpeg")
                        w.WriteNumber("quality", quality);
                    w.WriteStartObject("clip");
                    w.WriteNumber("x", 0);
                    w.WriteNumber("y", 0);
                    w.WriteNumber("width", viewWidth);
                    w.WriteNumber("height", viewHeight);
                    w.WriteNumber("scale", scale);
                    w.WriteEndObject();
                }, CommandTimeout, token).ConfigureAwait(false);
                string base64 = shot.GetProperty("data").GetString() ?? "";
                if (base64.Length <= maxBase64Chars)
                {
                    var (w, h) = ImageSize.Read(base64);
                    return (base64, w, h);
                }
                if (attempt == 4)
                    throw new CommandException(ErrorCodes.PayloadTooLarge,
                        $"canvas.snapshot is {base64.Length} base64 characters at {width} px wide; the gateway accepts {maxBase64Chars}. Ask for a smaller maxWidth or jpeg");
                // Smaller and coarser each round, as camera.snap does before giving up.
                width = Math.Max(160, width * 3 / 4);
                quality = Math.Max(20, quality * 7 / 10);
            }
        }, cancellationToken);

    /// <summary>Shows the A2UI host (if it is not showing) and hands it validated v0.8 messages; the renderer's answer as JSON.</summary>
    public Task<string> A2uiApplyAsync(string messagesJson, CancellationToken cancellationToken) =>
        WithBrowserAsync(async token =>
        {
            if (!_a2uiShown)
                await ShowA2uiHostAsync(token).ConfigureAwait(false);
            _hidden = false;
            var result = await SendAsync("Runtime.evaluate", w =>
            {
                w.WriteString("expression", $"globalThis.openclawA2UI.applyMessages({messagesJson})");
                w.WriteBoolean("returnByValue", true);
            }, CommandTimeout, token).ConfigureAwait(false);
            if (result.TryGetProperty("exceptionDetails", out var exception))
                throw new CommandException(ErrorCodes.InvalidRequest, $"INVALID_REQUEST: the A2UI renderer refused the messages: {ExceptionText(exception)}");
            return result.GetProperty("result").TryGetProperty("value", out var v) ? v.GetRawText() : "{\"ok\":true}";
        }, cancellationToken);

    public Task A2uiResetAsync(CancellationToken cancellationToken) =>
        WithBrowserAsync(async token =>
        {
            if (!_a2uiShown)
                return 0;
            await SendAsync("Runtime.evaluate", w =>
            {
                w.WriteString("expression", "globalThis.openclawA2UI?.reset()");
                w.WriteBoolean("returnByValue", true);
            }, CommandTimeout, token).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    /// <summary>For tests and benches: a DevTools command on the page (e.g. <c>Input.dispatchMouseEvent</c>).</summary>
    internal Task<JsonElement> PageCommandAsync(string method, Action<Utf8JsonWriter>? writeParams, CancellationToken cancellationToken) =>
        WithBrowserAsync(token => SendAsync(method, writeParams, CommandTimeout, token), cancellationToken);

    // ---- the browser's life ----

    private async Task<T> WithBrowserAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var token = linked.Token;
        await _gate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (_stopping.IsCancellationRequested)
                throw new CommandException(ErrorCodes.Unavailable, "the node is stopping");
            await EnsureUpAsync(token).ConfigureAwait(false);
            try
            {
                return await action(token).ConfigureAwait(false);
            }
            catch (DevToolsException e) when (!e.TimedOut)
            {
                throw new CommandException(ErrorCodes.Unavailable, $"canvas browser: {e.Message}");
            }
        }
        catch (CanvasException e)
        {
            throw new CommandException(ErrorCodes.Unavailable, e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts (or attaches to) the browser when it is not up, and shows again what it showed. Caller holds the lock.</summary>
    private async Task EnsureUpAsync(CancellationToken token)
    {
        if (_cdp is { } live && !live.Closed.IsCompleted)
            return;
        await TearDownAsync().ConfigureAwait(false);
        long started = Stopwatch.GetTimestamp();
        string firstUrl = _hidden ? HomeUrl : _presentedUrl ?? HomeUrl;
        _a2uiShown = false; // its surfaces died with the page
        DevToolsConnection cdp;
        if (_options.AttachPort is int port)
        {
            try
            {
                cdp = await DevToolsSocketConnection.ConnectAsync(port, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or JsonException or HttpRequestException)
            {
                throw new CanvasException($"cannot attach to the browser on 127.0.0.1:{port}: {e.Message}");
            }
        }
        else
        {
            _process = ChromiumProcess.Start(_options, _profileDirectory, firstUrl);
            cdp = _process.Connection;
        }
        _cdp = cdp;
        cdp.EventReceived += OnEvent;
        try
        {
            _targetId = await FindPageAsync(cdp, token).ConfigureAwait(false);
            var attached = await cdp.SendAsync("Target.attachToTarget", w =>
            {
                w.WriteString("targetId", _targetId);
                w.WriteBoolean("flatten", true);
            }, null, CommandTimeout, token).ConfigureAwait(false);
            _session = attached.GetProperty("sessionId").GetString();
            await SendAsync("Page.enable", null, CommandTimeout, token).ConfigureAwait(false);
            await SendAsync("Page.setLifecycleEventsEnabled", w => w.WriteBoolean("enabled", true), CommandTimeout, token).ConfigureAwait(false);
            try
            {
                var window = await cdp.SendAsync("Browser.getWindowForTarget", w => w.WriteString("targetId", _targetId), null, CommandTimeout, token).ConfigureAwait(false);
                _windowId = window.GetProperty("windowId").GetInt32();
            }
            catch (DevToolsException e)
            {
                Log.Debug($"canvas: no window for the page ({e.Message}); placement is up to the compositor");
            }
        }
        catch (DevToolsException e)
        {
            throw new CanvasException($"the browser started but its page could not be attached: {e.Message}");
        }
        LastStartMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _startedAt = Environment.TickCount64;
        Log.Info($"canvas: browser ready in {LastStartMs} ms{(_process is null ? $" (attached to 127.0.0.1:{_options.AttachPort})" : "")}");
        _ = WatchAsync(cdp);

        _placementApplied = false;
        await ApplyPlacementAsync(token).ConfigureAwait(false);
        // A browser the node started already shows firstUrl (--app); an attached one shows whatever it showed.
        if (_process is null)
            await ShowAsync(firstUrl, token).ConfigureAwait(false);
    }

    private static async Task<string> FindPageAsync(DevToolsConnection cdp, CancellationToken token)
    {
        long until = Environment.TickCount64 + 15_000;
        while (true)
        {
            var targets = await cdp.SendAsync("Target.getTargets", null, null, CommandTimeout, token).ConfigureAwait(false);
            foreach (var target in targets.GetProperty("targetInfos").EnumerateArray())
                if (target.GetProperty("type").GetString() == "page" && target.GetProperty("targetId").GetString() is { } id)
                    return id;
            if (Environment.TickCount64 > until)
                throw new CanvasException("the browser shows no page");
            await Task.Delay(100, token).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the channel to close; then, unless the node stops, starts the browser again with backoff.</summary>
    private async Task WatchAsync(DevToolsConnection cdp)
    {
        string why = await cdp.Closed.ConfigureAwait(false);
        if (_stopping.IsCancellationRequested)
            return;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(cdp, _cdp))
                return; // already replaced by a command that found it dead
            _process?.TryReap();
            string status = _process is { } p ? $"{ChromiumProcess.Describe(p.ExitStatus)}" : "attached browser";
            Log.Warn($"canvas: the browser went away ({why}; {status})");
            _failures = Environment.TickCount64 - _startedAt > 60_000 ? 0 : _failures + 1;
            await TearDownAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
        ScheduleRestart();
    }

    private void ScheduleRestart() => _ = Task.Run(async () =>
    {
        while (!_stopping.IsCancellationRequested)
        {
            int delay = (int)Math.Min(MaxBackoffMs, 1000 * Math.Pow(2, Math.Min(_failures, 10)));
            Log.Info($"canvas: starting the browser again in {delay} ms");
            try
            {
                await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
                await WithBrowserAsync(static _ => Task.FromResult(0), _stopping.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is CommandException or DevToolsException or IOException)
            {
                Log.Warn($"canvas: restart failed: {e.Message}");
                _failures++;
            }
        }
    });

    /// <summary>Drops the current browser (killing a process the node owns). Caller holds the lock.</summary>
    private async Task TearDownAsync()
    {
        if (_cdp is { } cdp)
            cdp.EventReceived -= OnEvent;
        if (_process is { } process)
        {
            await process.KillAsync().ConfigureAwait(false);
            process.Dispose();
        }
        else
        {
            _cdp?.Dispose();
        }
        _process = null;
        _cdp = null;
        _session = null;
        _targetId = null;
        _windowId = null;
        _loads.Clear();
    }

    /// <summary>Node stop: close the browser the node owns (Browser.close, then SIGKILL after 3 s); leave an attached one running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
            return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (!await _gate.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
            Log.Warn("canvas: a command still holds the browser; closing it anyway");
        if (_process is { } process && _cdp is { } cdp && !cdp.Closed.IsCompleted)
        {
            try
            {
                await cdp.SendAsync("Browser.close", null, null, TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
            }
            catch (DevToolsException)
            {
            }
            if (await process.WaitForExitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false))
                Log.Info("canvas: browser closed");
        }
        await TearDownAsync().ConfigureAwait(false);
    }

    // ---- pages ----

    private async Task<PageInfo> ShowAsync(string url, CancellationToken token)
    {
        if (_a2uiShown)
        {
            _a2uiShown = false;
            try
            {
                await SendAsync("Runtime.removeBinding", w => w.WriteString("name", A2uiHost.BindingName), CommandTimeout, token).ConfigureAwait(false);
            }
            catch (DevToolsException)
            {
            }
        }
        return await LoadAsync(url, token).ConfigureAwait(false);
    }

    /// <summary>Navigates and waits for the load event; a page that fails to load is an error with the browser's net error text.</summary>
    private async Task<PageInfo> LoadAsync(string url, CancellationToken token)
    {
        var navigation = await SendAsync("Page.navigate", w => w.WriteString("url", url), CommandTimeout, token).ConfigureAwait(false);
        if (navigation.TryGetProperty("errorText", out var error) && error.GetString() is { Length: > 0 } text)
            throw new CommandException(ErrorCodes.Unavailable, $"{Redact(url)} did not load: {text}");
        if (navigation.TryGetProperty("loaderId", out var loader) && loader.GetString() is { } loaderId)
        {
            var loaded = _loads.GetOrAdd(loaderId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            try
            {
                await loaded.Task.WaitAsync(token).ConfigureAwait(false);
            }
            finally
            {
                _loads.TryRemove(loaderId, out _);
            }
        }
        return await PageInfoAsync(url, token).ConfigureAwait(false);
    }

    private async Task<PageInfo> PageInfoAsync(string url, CancellationToken token)
    {
        var result = await SendAsync("Runtime.evaluate", w =>
        {
            w.WriteString("expression", "[document.title, location.href]");
            w.WriteBoolean("returnByValue", true);
        }, CommandTimeout, token).ConfigureAwait(false);
        var value = result.GetProperty("result").TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Array ? v : default;
        string title = value.ValueKind == JsonValueKind.Array ? value[0].GetString() ?? "" : "";
        string final = value.ValueKind == JsonValueKind.Array ? value[1].GetString() ?? "" : "";
        return new PageInfo(Redact(url), title, Redact(final));
    }

    /// <summary>The capability token in a surface URL is a credential: never in a result or a log line.</summary>
    private static string Redact(string url) => A2uiHost.IsCapabilityUrl(url) ? "a2ui:" : url;

    private async Task ShowA2uiHostAsync(CancellationToken token)
    {
        string surface = await SurfaceUrlAsync(token).ConfigureAwait(false);
        // First a document on the gateway's origin (the bundle itself, shown as text), then the host built in it:
        // see A2uiHost.ShowScript for why not a data: page.
        await LoadAsync(A2uiHost.BundleUrl(surface), token).ConfigureAwait(false);
        // The binding is a global function in the page; presses are honoured only while the host shows (see OnEvent),
        // and it is removed when another page is shown. Added after the navigation: the gateway's origin is another
        // site, so the page now lives in a new renderer, and a binding added before the move was not seen in it.
        await SendAsync("Runtime.addBinding", w => w.WriteString("name", A2uiHost.BindingName), CommandTimeout, token).ConfigureAwait(false);
        var check = await SendAsync("Runtime.evaluate", w =>
        {
            w.WriteString("expression", A2uiHost.ShowScript(surface, timeoutMs: 10_000));
            w.WriteBoolean("awaitPromise", true);
            w.WriteBoolean("returnByValue", true);
        }, CommandTimeout, token).ConfigureAwait(false);
        string? shown = check.GetProperty("result").TryGetProperty("value", out var type) ? type.GetString() : null;
        if (shown == "function")
        {
            _a2uiShown = true;
            return;
        }
        throw new CommandException(ErrorCodes.Unavailable,
            $"the gateway's A2UI renderer did not start from <canvas surface>/__openclaw__/a2ui/a2ui.bundle.js ({shown ?? "no answer"}); check that the gateway's canvas host is enabled (plugins.entries.canvas.config.host.enabled) and reachable from this node");
    }

    /// <summary>A fresh canvas capability URL (each lives 10 minutes): refreshed on the gateway, else the one from hello-ok.</summary>
    private async Task<string> SurfaceUrlAsync(CancellationToken token)
    {
        try
        {
            var payload = await _link.RequestAsync("node.pluginSurface.refresh", """{"surface":"canvas"}""", CommandTimeout, token).ConfigureAwait(false);
            if (payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("pluginSurfaceUrls", out var urls)
                && urls.ValueKind == JsonValueKind.Object && urls.TryGetProperty("canvas", out var url) && url.GetString() is { Length: > 0 } fresh)
            {
                _link.UpdateSurfaceUrl("canvas", fresh);
                return fresh;
            }
        }
        catch (Exception e) when (e is NodeLinkException or TimeoutException or System.Net.WebSockets.WebSocketException)
        {
            Log.Debug($"canvas: surface refresh failed: {e.Message}");
        }
        return _link.SurfaceUrl("canvas") ?? throw new CommandException(ErrorCodes.Unavailable,
            "no A2UI renderer: the gateway granted this node no canvas surface (hello-ok.pluginSurfaceUrls.canvas). It grants one only to a node whose command surface, with the canvas capability, is approved: run `openclaw nodes pending` / `openclaw nodes approve <requestId>` (the node reconnects by itself to receive it), and keep the gateway's canvas host on (plugins.entries.canvas.config.host.enabled)");
    }

    // ---- window placement ----

    private async Task ApplyPlacementAsync(CancellationToken token)
    {
        if (_windowId is not int windowId || _placementApplied && _appliedPlacement == _placement)
            return;
        try
        {
            await SetBoundsAsync(windowId, w => w.WriteString("windowState", "normal"), token).ConfigureAwait(false);
            var screen = await SendAsync("Runtime.evaluate", w =>
            {
                w.WriteString("expression", "[screen.width, screen.height]");
                w.WriteBoolean("returnByValue", true);
            }, CommandTimeout, token).ConfigureAwait(false);
            var size = screen.GetProperty("result").GetProperty("value");
            int screenWidth = size[0].GetInt32(), screenHeight = size[1].GetInt32();
            var p = _placement;
            int x = p?.X ?? 0, y = p?.Y ?? 0;
            int width = p?.Width ?? Math.Max(1, screenWidth - x), height = p?.Height ?? Math.Max(1, screenHeight - y);
            await SetBoundsAsync(windowId, w =>
            {
                w.WriteNumber("left", x);
                w.WriteNumber("top", y);
                w.WriteNumber("width", width);
                w.WriteNumber("height", height);
            }, token).ConfigureAwait(false);
            // Without a placement the kiosk fills the output; a window manager then also hides its decorations.
            if (p is null)
                await SetBoundsAsync(windowId, w => w.WriteString("windowState", "fullscreen"), token).ConfigureAwait(false);
        }
        catch (DevToolsException e) when (!e.TimedOut)
        {
            // Tiling compositors (sway, cage) place windows themselves and refuse.
            Log.Debug($"canvas: window placement refused: {e.Message}");
        }
        _appliedPlacement = _placement;
        _placementApplied = true;
    }

    private Task SetBoundsAsync(int windowId, Action<Utf8JsonWriter> bounds, CancellationToken token) =>
        _cdp!.SendAsync("Browser.setWindowBounds", w =>
        {
            w.WriteNumber("windowId", windowId);
            w.WriteStartObject("bounds");
            bounds(w);
            w.WriteEndObject();
        }, null, CommandTimeout, token);

    // ---- events ----

    private void OnEvent(DevToolsEvent e)
    {
        switch (e.Method)
        {
            case "Page.lifecycleEvent" when e.Params.TryGetProperty("name", out var name) && name.GetString() == "load":
                if (e.Params.TryGetProperty("frameId", out var frame) && frame.GetString() == _targetId
                    && e.Params.TryGetProperty("loaderId", out var loader) && loader.GetString() is { } loaderId)
                {
                    if (_loads.Count > 64)
                        _loads.Clear(); // loads nobody waits for (links the page followed itself)
                    _loads.GetOrAdd(loaderId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
                break;
            case "Runtime.bindingCalled" when e.Params.TryGetProperty("name", out var binding) && binding.GetString() == A2uiHost.BindingName:
                if (_a2uiShown && e.Params.TryGetProperty("payload", out var payload) && A2uiHost.ActionMessage(payload.GetString() ?? "") is { } message)
                    _ = SendActionAsync(message);
                break;
            case "Inspector.targetCrashed":
                Log.Warn("canvas: the page's renderer crashed; reloading what was shown");
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await WithBrowserAsync(async token => await ShowAsync(_hidden ? HomeUrl : _presentedUrl ?? HomeUrl, token).ConfigureAwait(false), _stopping.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is CommandException or OperationCanceledException)
                    {
                        Log.Warn($"canvas: reload after the crash failed: {ex.Message}");
                    }
                });
                break;
        }
    }

    private async Task SendActionAsync(string message)
    {
        try
        {
            await _link.SendEventAsync("agent.request", A2uiHost.AgentRequest(message), _stopping.Token).ConfigureAwait(false);
            Log.Info($"canvas: A2UI button press sent to the agent: {(message.Length > 120 ? message[..120] + "…" : message)}");
        }
        catch (Exception e) when (e is NodeLinkException or TimeoutException or OperationCanceledException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
        {
            Log.Warn($"canvas: A2UI button press not delivered: {e.Message}");
        }
    }

    // ---- helpers ----

    private Task<JsonElement> SendAsync(string method, Action<Utf8JsonWriter>? writeParams, TimeSpan timeout, CancellationToken token) =>
        (_cdp ?? throw new DevToolsException("the browser is not running")).SendAsync(method, writeParams, _session, timeout, token);

    private static string ExceptionText(JsonElement exception) =>
        exception.TryGetProperty("exception", out var ex) && ex.TryGetProperty("description", out var d) ? d.GetString() ?? ""
        : exception.TryGetProperty("text", out var t) ? t.GetString() ?? "" : exception.GetRawText();

    internal static string ValueText(JsonElement remoteObject)
    {
        if (remoteObject.TryGetProperty("value", out var value))
            return value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
        if (remoteObject.TryGetProperty("unserializableValue", out var special))
            return special.GetString() ?? "";
        if (remoteObject.TryGetProperty("description", out var description))
            return description.GetString() ?? "";
        return remoteObject.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "";
    }
}
