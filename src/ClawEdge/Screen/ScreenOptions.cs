namespace ClawEdge.Screen;

/// <summary>The <c>Screen</c> section: screen recording is off until an operator turns it on.</summary>
public sealed class ScreenOptions
{
    /// <summary>Serve <c>screen.record</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Display to record: an X display (<c>:0</c>, has a colon) or a Wayland socket (<c>wayland-1</c> in
    /// <c>$XDG_RUNTIME_DIR</c>, or an absolute path). Null: <c>$WAYLAND_DISPLAY</c> if set, else <c>$DISPLAY</c>.
    /// </summary>
    public string? Display { get; set; }

    /// <summary><c>auto</c> (best available: a V4L2 memory-to-memory H.264 encoder, libx264, then Motion JPEG), <c>v4l2m2m</c>, <c>libx264</c> or <c>mjpeg</c>.</summary>
    public string Encoder { get; set; } = "auto";

    /// <summary>The memory-to-memory H.264 encoder (<c>/dev/video11</c> on a Pi); null: the first <c>/dev/video*</c> that encodes H.264.</summary>
    public string? EncoderDevice { get; set; }
}
