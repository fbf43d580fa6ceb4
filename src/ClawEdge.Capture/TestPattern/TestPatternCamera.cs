using System.Buffers;
using System.Diagnostics;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Platform;

namespace ClawEdge.Capture.TestPattern;

/// <summary>
/// A camera that needs no hardware, like FFmpeg's <c>testsrc</c>: colour bars scrolling in the top three
/// quarters, a moving orange box, the frame number and milliseconds since start in 7-segment digits, and
/// static colour bars in the bottom quarter (so a snap at any moment has known colours). Paced by a
/// monotonic clock at the configured rate; YUYV, RGBX or MJPEG.
/// </summary>
public sealed class TestPatternCamera : CameraSource
{
    public const string DeviceId = "testpattern";

    /// <summary>The bars, left to right: white, yellow, cyan, green, magenta, red, blue, black (100 % intensity).</summary>
    public static readonly (byte R, byte G, byte B)[] Bars =
        [(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0), (255, 0, 255), (255, 0, 0), (0, 0, 255), (0, 0, 0)];

    public static readonly (byte R, byte G, byte B) BoxColour = (255, 128, 0);

    public TestPatternCamera(int width = 1280, int height = 720, double framesPerSecond = 30, PixelFormat format = PixelFormat.Yuyv)
    {
        if (format is not (PixelFormat.Yuyv or PixelFormat.Rgbx32 or PixelFormat.Mjpeg))
            throw new CaptureException(CaptureError.Unsupported, $"the test pattern produces YUYV, RGBX or MJPEG, not {format.FourCc()}");
        if (width < 16 || height < 16 || width > 7680 || height > 4320)
            throw new CaptureException(CaptureError.Unsupported, $"test pattern size {width}x{height} is outside 16x16..7680x4320");
        Width = width & ~1;
        Height = height;
        FramesPerSecond = Math.Clamp(framesPerSecond, 0.1, 240);
        Format = format;
        Info = new CameraInfo(DeviceId, "ClawEdge test pattern", "testpattern", "unknown",
            [new CameraMode(Width, Height, PixelFormat.Yuyv, FramesPerSecond), new CameraMode(Width, Height, PixelFormat.Rgbx32, FramesPerSecond),
             new CameraMode(Width, Height, PixelFormat.Mjpeg, FramesPerSecond)]);
    }

    public int Width { get; }
    public int Height { get; }
    public double FramesPerSecond { get; }
    public PixelFormat Format { get; }
    public override CameraInfo Info { get; }

    public override CaptureSession Open(CaptureRequest request)
    {
        var format = request.Format is PixelFormat.Yuyv or PixelFormat.Rgbx32 or PixelFormat.Mjpeg ? request.Format.Value : Format;
        if (request.Format is { } asked && asked != format)
            throw new CaptureException(CaptureError.Unsupported, $"the test pattern produces YUYV, RGBX or MJPEG, not {asked.FourCc()}");
        return new TestPatternSession(this, format, request.FramesPerSecond is > 0 ? Math.Min(request.FramesPerSecond.Value, 240) : FramesPerSecond);
    }

    /// <summary>The static bar colour at column <paramref name="x"/> of the bottom quarter.</summary>
    public static (byte R, byte G, byte B) StaticBarAt(int x, int width) => Bars[Math.Clamp(x * 8 / width, 0, 7)];
}

internal sealed class TestPatternSession : CaptureSession
{
    private readonly TestPatternCamera _camera;
    private readonly PixelFormat _format;
    private readonly double _fps;
    private readonly int _width, _height;
    private readonly TestPatternPainter _painter;
    private readonly byte[] _raw;
    private readonly ArrayBufferWriter<byte>? _jpeg;
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _sequence;
    private bool _leased;
    private bool _disposed;

    public TestPatternSession(TestPatternCamera camera, PixelFormat format, double fps)
    {
        _camera = camera;
        _format = format;
        _fps = fps;
        _width = camera.Width;
        _height = camera.Height;
        var painted = format == PixelFormat.Yuyv ? PixelFormat.Yuyv : PixelFormat.Rgbx32;
        _painter = new TestPatternPainter(_width, _height, painted);
        _raw = LargeArrayPool.Shared.Rent(painted.FrameBytes(_width, _height));
        if (format == PixelFormat.Mjpeg)
            _jpeg = new ArrayBufferWriter<byte>(_width * _height / 2);
    }

    public override CameraMode Mode => new(_width, _height, _format, _fps);

    public override FrameLease ReadFrame(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_leased)
            throw new InvalidOperationException("dispose the previous frame lease before reading the next frame");
        // Frame n is due at start + n / fps on the monotonic clock; a late reader gets it at once (no catch-up burst).
        long due = _start + (long)(_sequence * Stopwatch.Frequency / _fps);
        long waitMs = (due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
        if (waitMs > timeout.TotalMilliseconds)
            throw new CaptureException(CaptureError.Timeout, $"test pattern frame not due within {timeout.TotalMilliseconds:0} ms");
        if (waitMs > 0)
        {
            if (!cancellationToken.CanBeCanceled)
                Thread.Sleep((int)waitMs);
            else if (cancellationToken.WaitHandle.WaitOne((int)waitMs))
                cancellationToken.ThrowIfCancellationRequested();
        }
        cancellationToken.ThrowIfCancellationRequested();

        var elapsed = Stopwatch.GetElapsedTime(_start);
        var raw = _raw.AsSpan(0, _painter.Format.FrameBytes(_width, _height));
        _painter.Paint(raw, _sequence, (long)elapsed.TotalMilliseconds);
        long sequence = _sequence++;
        _leased = true;
        if (_jpeg is not null)
        {
            _jpeg.ResetWrittenCount();
            JpegEncoder.Encode(raw, _width, _height, _width * 4, 85, 0, _jpeg, out _, out _);
            return new FrameLease(new Frame(_jpeg.WrittenSpan, _width, _height, 0, PixelFormat.Mjpeg, elapsed, sequence), this, 1);
        }
        int stride = _painter.Format.FrameBytes(_width, 1);
        return new FrameLease(new Frame(raw, _width, _height, stride, _painter.Format, elapsed, sequence), this, 1);
    }

    protected internal override void Release(int token) => _leased = false;

    public override void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        LargeArrayPool.Shared.Return(_raw);
    }
}
