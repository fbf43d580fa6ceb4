namespace ClawEdge.Canvas;

/// <summary>The <c>Canvas</c> section: a kiosk browser the node owns, off until an operator turns it on.</summary>
public sealed class CanvasOptions
{
    /// <summary>Serve <c>canvas.present/hide/navigate/snapshot</c> and <c>canvas.a2ui.*</c>, and keep a browser on the screen.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Where the browser shows: an X display (<c>:0</c>, has a colon) or a Wayland socket (<c>wayland-1</c> in
    /// <c>$XDG_RUNTIME_DIR</c>, or an absolute path). Null: <c>$WAYLAND_DISPLAY</c> if set, else <c>$DISPLAY</c>.
    /// </summary>
    public string? Display { get; set; }

    /// <summary>The Chromium executable: a path, or a name looked up on PATH.</summary>
    public string Browser { get; set; } = "chromium";

    /// <summary>What shows when nothing is presented (start, <c>canvas.hide</c>): an http(s) URL or a file under <see cref="FilesDirectory"/>. Null: black.</summary>
    public string? Home { get; set; }

    /// <summary>Serve <c>canvas.eval</c> (arbitrary JavaScript in the shown page). Off: the command is not declared.</summary>
    public bool AllowEval { get; set; }

    /// <summary>A directory whose files may be shown (<c>file://</c> URLs or plain paths under it). Null: no file URLs.</summary>
    public string? FilesDirectory { get; set; }

    /// <summary>
    /// Instead of starting a browser, attach to one already running with <c>--remote-debugging-port</c> on this
    /// port of 127.0.0.1 (only loopback: a DevTools port gives full control of the browser). Null: the node owns its browser.
    /// </summary>
    public int? AttachPort { get; set; }

    /// <summary>Extra Chromium flags (e.g. <c>--disable-gpu</c>, <c>--force-device-scale-factor=1</c>).</summary>
    public string[]? BrowserArgs { get; set; }
}
