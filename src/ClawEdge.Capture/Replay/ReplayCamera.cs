using System.Diagnostics;

namespace ClawEdge.Capture.Replay;

/// <summary>
/// Plays frames from a file: raw frames of one format and size back to back, or concatenated JPEGs (an
/// MJPEG stream). When the file runs out, <see cref="CaptureSession.ReadFrame"/> fails with
/// <see cref="CaptureError.EndOfStream"/> — what a camera unplugged mid-capture looks like to callers.
/// </summary>
public sealed class ReplayCamera : CameraSource
{
    public ReplayCamera(string id, string path, PixelFormat format, int width, int height, double framesPerSecond = 0)
    {
        if (format.FrameBytes(width, height) <= 0 && format is not (PixelFormat.Mjpeg or PixelFormat.Jpeg))
            throw new CaptureException(CaptureError.Unsupported, $"replay of {format.FourCc()} needs a raw format or MJPEG");
        FilePath = path;
        Format = format;
        Width = width;
        Height = height;
        FramesPerSecond = framesPerSecond;
        Info = new CameraInfo(id, $"Replay of {Path.GetFileName(path)}", "replay", "unknown", [new CameraMode(width, height, format, framesPerSecond)]);
    }

    public string FilePath { get; }
    public PixelFormat Format { get; }
    public int Width { get; }
    public int Height { get; }
    public double FramesPerSecond { get; }
    public override CameraInfo Info { get; }

    public override CaptureSession Open(CaptureRequest request)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(FilePath);
        }
        catch (FileNotFoundException)
        {
            throw new CaptureException(CaptureError.NotFound, $"replay file {FilePath} does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaptureException(e is UnauthorizedAccessException ? CaptureError.PermissionDenied : CaptureError.Failed, $"cannot read replay file {FilePath}: {e.Message}");
        }
        return new ReplaySession(this, data, Split(data));
    }

    /// <summary>Frame boundaries: fixed-size raw frames (a trailing partial frame is dropped), or SOI…EOI spans.</summary>
    internal List<(int Start, int Length)> Split(byte[] data)
    {
        var frames = new List<(int, int)>();
        int size = Format.FrameBytes(Width, Height);
        if (size > 0)
        {
            for (int at = 0; at + size <= data.Length; at += size)
                frames.Add((at, size));
            return frames;
        }
        int i = 0;
        while (true)
        {
            int soi = data.AsSpan(i).IndexOf([(byte)0xFF, (byte)0xD8]);
            if (soi < 0)
                break;
            soi += i;
            int eoi = data.AsSpan(soi + 2).IndexOf([(byte)0xFF, (byte)0xD9]);
            if (eoi < 0)
                break; // truncated last frame: the stream ends here
            int end = soi + 2 + eoi + 2;
            frames.Add((soi, end - soi));
            i = end;
        }
        return frames;
    }
}

internal sealed class ReplaySession(ReplayCamera camera, byte[] data, List<(int Start, int Length)> frames) : CaptureSession
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private int _next;

    public override CameraMode Mode => camera.Info.Modes[0];

    public override FrameLease ReadFrame(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_next >= frames.Count)
            throw new CaptureException(CaptureError.EndOfStream, $"{camera.Info.Id}: the stream ended after {frames.Count} frame(s)");
        if (camera.FramesPerSecond > 0)
        {
            long due = _start + (long)(_next * Stopwatch.Frequency / camera.FramesPerSecond);
            long waitMs = (due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            if (waitMs > 0 && cancellationToken.WaitHandle.WaitOne((int)Math.Min(waitMs, timeout.TotalMilliseconds)))
                cancellationToken.ThrowIfCancellationRequested();
        }
        var (start, length) = frames[_next];
        int stride = camera.Format.IsCompressed() ? 0 : camera.Format.FrameBytes(camera.Width, 1);
        var frame = new Frame(data.AsSpan(start, length), camera.Width, camera.Height, stride, camera.Format, Stopwatch.GetElapsedTime(_start), _next);
        _next++;
        return new FrameLease(frame, this, _next);
    }

    protected internal override void Release(int token)
    {
    }

    public override void Dispose()
    {
    }
}
