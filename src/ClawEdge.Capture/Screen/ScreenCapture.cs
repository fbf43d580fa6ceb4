namespace ClawEdge.Capture.Screen;

/// <summary>
/// One screen being read, whatever the display server: callers grab frames
/// into the capture's own buffer, one thread at a time. The seam between X11 and Wayland (wlr-screencopy).
/// </summary>
public abstract class ScreenCapture : IDisposable
{
    public abstract int Width { get; }
    public abstract int Height { get; }

    /// <summary>Layout of the pixels <see cref="Grab"/> returns (4 bytes per pixel).</summary>
    public abstract PixelFormat PixelFormat { get; }

    /// <summary>How pixels are read, as reported in a result: <c>x11-shm</c>, <c>x11</c>, <c>wlr-screencopy</c>.</summary>
    public abstract string Method { get; }

    /// <summary>Copies the screen into the capture buffer and returns a view of it, valid until the next call.</summary>
    /// <exception cref="ScreenException"><see cref="ScreenError.Lost"/> when the display server is gone.</exception>
    public abstract Frame Grab(TimeSpan timestamp, long sequence);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
