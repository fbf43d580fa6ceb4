namespace ClawEdge.Capture;

/// <summary>One way a camera can deliver frames.</summary>
public sealed record CameraMode(int Width, int Height, PixelFormat Format, double FramesPerSecond);

/// <summary>What <c>camera.list</c> shows about a camera.</summary>
/// <param name="Id">Stable id the caller passes back as <c>deviceId</c> (<c>/dev/video0</c>, <c>testpattern</c>, …).</param>
/// <param name="Backend"><c>v4l2</c>, <c>rpicam</c>, <c>testpattern</c> or <c>replay</c>.</param>
/// <param name="Position"><c>front</c>, <c>back</c> or <c>unknown</c> (USB cameras cannot tell; config can).</param>
public sealed record CameraInfo(string Id, string Name, string Backend, string Position, IReadOnlyList<CameraMode> Modes,
    string? Driver = null, string? BusInfo = null);

/// <summary>What the caller wants; the source picks the closest mode it has.</summary>
/// <param name="BufferCount">Buffers in the V4L2 mmap ring (3–4: one with the caller, one being filled, spares against jitter).</param>
public sealed record CaptureRequest(int? Width = null, int? Height = null, PixelFormat? Format = null, double? FramesPerSecond = null, int BufferCount = 4);
