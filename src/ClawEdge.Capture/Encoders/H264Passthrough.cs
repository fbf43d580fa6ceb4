using ClawEdge.Capture.Mp4;

namespace ClawEdge.Capture.Encoders;

/// <summary>
/// A camera that encodes H.264 itself (UVC H.264, <c>rpicam-vid --codec h264</c>): its Annex-B access units go
/// into the MP4 as they are — no decode, no re-encode, no CPU. Frames before the first IDR are dropped by
/// the writer.
/// </summary>
public sealed class H264Passthrough(int width, int height) : VideoEncoder
{
    public override VideoCodec Codec => VideoCodec.H264;
    public override string Name => "h264-passthrough";
    public override int Width { get; } = width;
    public override int Height { get; } = height;

    public override SampleOutcome Encode(in Frame frame, Mp4Writer writer)
    {
        if (frame.Format != PixelFormat.H264)
            throw new ArgumentException($"passthrough takes H.264 frames, not {frame.Format.FourCc()}");
        return writer.AddAnnexB(frame.Data, frame.Timestamp);
    }

    public override void Dispose()
    {
    }
}
