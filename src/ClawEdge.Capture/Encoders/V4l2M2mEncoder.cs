using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Mp4;
using ClawEdge.Capture.Native;
using ClawEdge.Capture.V4l2;

namespace ClawEdge.Capture.Encoders;

/// <summary>
/// H.264 from a V4L2 memory-to-memory encoder (the Raspberry Pi 4 / 3 / Zero 2 W <c>bcm2835-codec</c> at
/// <c>/dev/video11</c>): each frame is converted to YU12 straight into a driver buffer, queued, and its coded access
/// unit handed to the MP4 writer once the driver returns it, so the CPU does only the conversion. One frame is in
/// flight at a time: <see cref="Encode"/> returns when that frame's coded buffer has come back, so nothing is
/// left inside the encoder when the recorder stops.
/// </summary>
public sealed unsafe class V4l2M2mEncoder : VideoEncoder
{
    private const int TimeoutMs = 2000;
    private readonly V4l2M2mSession _session;
    private TurboJpegDecoder? _jpeg;

    private V4l2M2mEncoder(V4l2M2mSession session)
    {
        _session = session;
    }

    public override VideoCodec Codec => VideoCodec.H264;
    public override string Name => "v4l2m2m";
    public override int Width => _session.Width;
    public override int Height => _session.Height;
    public string DevicePath => _session.Path;

    /// <summary>Frame formats this encoder takes: what the I420 converter reads, and JPEG when TurboJPEG decodes it.</summary>
    public static bool CanEncode(PixelFormat format) =>
        I420Converter.Supports(format) || format is PixelFormat.Mjpeg or PixelFormat.Jpeg;

    /// <summary>
    /// Frames queued to the driver and non-empty coded buffers it gave back: equal after every <see cref="Encode"/> on
    /// a driver that codes one buffer per frame (vicodec); one more on an H.264 encoder that sends SPS/PPS on their own first.
    /// </summary>
    public int FramesQueued => _session.Queued;
    public int FramesCoded => _session.Encoded;

    /// <summary>Opens the encoder at <paramref name="device"/>, or null with the reason (missing, busy, refused).</summary>
    /// <param name="codedFormat">H.264 for clips. Another coded format (vicodec's FWHT) runs the same buffer flow for
    /// <c>camera bench m2m</c> on a driver without H.264; the MP4 writer then takes none of its output.</param>
    public static V4l2M2mEncoder? TryCreate(string device, int width, int height, double framesPerSecond, out string? reason,
        uint codedFormat = V4l2M2mSession.H264)
    {
        reason = null;
        width &= ~1;
        height &= ~1;
        try
        {
            int fps = (int)Math.Clamp(Math.Round(framesPerSecond), 1, 120);
            // The libx264 choices: a key frame every 10 s, Constrained Baseline. The bitrate is left to the driver
            // unless it is far off: ~0.1 bit per pixel per frame is good video at 1080p30 (6 Mbit/s).
            var settings = new M2mEncoderSettings(BitrateBitsPerSecond: (int)Math.Min(25_000_000L, (long)width * height * fps / 10),
                GopSize: fps * 10, FramesPerSecond: fps);
            var session = V4l2M2mSession.Open(device, V4l2Abi.PIX_FMT_YUV420, codedFormat, width, height, settings);
            if (session.Width != width || session.Height != height)
            {
                session.Dispose();
                reason = $"{device} encodes {session.Width}x{session.Height}, not {width}x{height}";
                return null;
            }
            return new V4l2M2mEncoder(session);
        }
        catch (CaptureException e)
        {
            reason = e.Message;
            return null;
        }
    }

    public override SampleOutcome Encode(in Frame frame, Mp4Writer writer)
    {
        if (!_session.TryGetInput(TimeoutMs, out var input))
            throw new CaptureException(CaptureError.Timeout, $"{_session.Path} returned no raw buffer within {TimeoutMs} ms");
        int used;
        if (frame.Format is PixelFormat.Mjpeg or PixelFormat.Jpeg)
        {
            _jpeg ??= TurboJpegDecoder.TryCreate(out string? why)
                ?? throw new CaptureException(CaptureError.Unsupported, $"v4l2m2m needs TurboJPEG for MJPEG frames: {why}");
            used = Yu12Layout(_session, input, out byte* y, out byte* u, out byte* v, out int ys, out int cs);
            _jpeg.DecodeToI420(frame.Data, Width, Height, y, ys, u, cs, v, cs);
        }
        else
        {
            used = FillYu12(_session, input, frame);
        }
        long micros = frame.Timestamp.Ticks / 10;
        _session.Queue(input.Index, used, frame.Timestamp);

        var outcome = SampleOutcome.Dropped;
        // Coded buffers come back in order; a parameter-set-only buffer (the stream header some encoders send first)
        // is given to the writer too, which keeps its SPS/PPS. Stop at this frame's own buffer (same timestamp).
        while (_session.TryDequeue(TimeoutMs, out var coded))
        {
            try
            {
                if (writer.AddAnnexB(coded.Data, coded.Timestamp) == SampleOutcome.Added)
                    outcome = SampleOutcome.Added;
            }
            finally
            {
                _session.Release(coded);
            }
            if (coded.Timestamp.Ticks / 10 == micros)
                return outcome;
        }
        throw new CaptureException(CaptureError.Timeout, $"{_session.Path} returned no coded frame within {TimeoutMs} ms");
    }

    /// <summary>The YU12 planes inside a raw buffer (luma stride = bytesperline, chroma half of it); returns the bytes used.</summary>
    public static int Yu12Layout(V4l2M2mSession session, in M2mInput input, out byte* y, out byte* u, out byte* v, out int yStride, out int chromaStride)
    {
        yStride = session.BytesPerLine;
        chromaStride = yStride / 2;
        int lumaBytes = yStride * session.Height;
        int chromaBytes = chromaStride * (session.Height / 2);
        int used = lumaBytes + 2 * chromaBytes;
        if (used > input.Length)
            throw new CaptureException(CaptureError.Failed, $"{session.Path}: raw buffer of {input.Length} bytes, a frame needs {used}");
        y = input.Pointer;
        u = y + lumaBytes;
        v = u + chromaBytes;
        return used;
    }

    /// <summary>Converts <paramref name="frame"/> into the session's YU12 raw buffer; returns the bytes used.</summary>
    public static int FillYu12(V4l2M2mSession session, in M2mInput input, in Frame frame)
    {
        int used = Yu12Layout(session, input, out byte* y, out byte* u, out byte* v, out int ys, out int cs);
        I420Converter.Convert(frame, session.Width, session.Height, y, ys, u, cs, v, cs);
        return used;
    }

    public override void Dispose()
    {
        _jpeg?.Dispose();
        _jpeg = null;
        _session.Dispose();
    }
}
