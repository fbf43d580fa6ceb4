namespace ClawEdge.Capture;

/// <summary>
/// A camera backend (V4L2 device, rpicam, test pattern, file replay): the one seam between capture
/// code and its users, so every source is tested the same way and chosen at run time.
/// </summary>
public abstract class CameraSource
{
    public abstract CameraInfo Info { get; }

    /// <summary>Opens the camera and starts streaming in the mode closest to <paramref name="request"/>.</summary>
    /// <exception cref="CaptureException">busy, permission, missing device, unsupported mode.</exception>
    public abstract CaptureSession Open(CaptureRequest request);
}

/// <summary>An open, streaming camera. One reader at a time; dispose stops streaming and frees buffers.</summary>
public abstract class CaptureSession : IDisposable
{
    public abstract CameraMode Mode { get; }

    /// <summary>Waits for the next frame. The lease must be disposed before the next call.</summary>
    /// <exception cref="CaptureException">timeout (stalled device), disconnected (unplugged), end of stream.</exception>
    public abstract FrameLease ReadFrame(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Gives a frame's buffer back (called by <see cref="FrameLease.Dispose"/>).</summary>
    protected internal abstract void Release(int token);

    public abstract void Dispose();
}

public enum CaptureError
{
    NotFound,
    PermissionDenied,
    Busy,
    Unsupported,
    Timeout,
    Disconnected,
    EndOfStream,
    Failed,
}

/// <summary>A capture failure with a kind callers map to error codes (busy → CAMERA_UNAVAILABLE, permission → CAMERA_PERMISSION_REQUIRED, …).</summary>
public sealed class CaptureException(CaptureError error, string message) : Exception(message)
{
    public CaptureError Error { get; } = error;
}
