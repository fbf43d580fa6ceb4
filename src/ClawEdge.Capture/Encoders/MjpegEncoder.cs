using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Mp4;

namespace ClawEdge.Capture.Encoders;

/// <summary>
/// Motion JPEG in MP4, the last resort when no H.264 encoder is available: FFmpeg, VLC, PyAV and OpenCV play
/// it, Chromium does not (the result's <c>codec: "mjpeg"</c> says so). MJPEG camera frames pass through
/// untouched; raw frames are converted and encoded straight into the MP4's media buffer.
/// </summary>
public sealed class MjpegEncoder(int width, int height, int quality = 80) : VideoEncoder
{
    public override VideoCodec Codec => VideoCodec.Mjpeg;
    public override string Name => "mjpeg";
    public override int Width { get; } = width;
    public override int Height { get; } = height;

    public override SampleOutcome Encode(in Frame frame, Mp4Writer writer)
    {
        var sink = writer.BeginSample();
        try
        {
            FrameJpeg.Encode(frame, quality, 0, sink, out _, out _, out _);
        }
        catch
        {
            writer.CancelSample();
            throw;
        }
        return writer.EndSample(frame.Timestamp);
    }

    public override void Dispose()
    {
    }
}
