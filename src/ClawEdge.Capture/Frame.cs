namespace ClawEdge.Capture;

/// <summary>
/// One captured frame as a view over memory the source owns (an mmap'd V4L2 buffer, a pooled array).
/// Valid only until its <see cref="FrameLease"/> is disposed.
/// </summary>
public readonly ref struct Frame
{
    public Frame(ReadOnlySpan<byte> data, int width, int height, int stride, PixelFormat format, TimeSpan timestamp, long sequence)
    {
        Data = data;
        Width = width;
        Height = height;
        Stride = stride;
        Format = format;
        Timestamp = timestamp;
        Sequence = sequence;
    }

    public ReadOnlySpan<byte> Data { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Bytes per row of the first plane; 0 for compressed formats.</summary>
    public int Stride { get; }
    public PixelFormat Format { get; }

    /// <summary>Capture time on a monotonic clock (the driver's when it gives one), for real frame durations.</summary>
    public TimeSpan Timestamp { get; }
    public long Sequence { get; }
}

/// <summary>
/// Ownership of one frame: dispose to give the buffer back to the source (re-queue it). A ref struct so the
/// span cannot outlive it: <c>using var lease = session.ReadFrame(…);</c>.
/// </summary>
public readonly ref struct FrameLease
{
    private readonly CaptureSession? _owner;
    private readonly int _token;

    public FrameLease(Frame frame, CaptureSession? owner, int token)
    {
        Frame = frame;
        _owner = owner;
        _token = token;
    }

    public Frame Frame { get; }

    public void Dispose() => _owner?.Release(_token);
}
