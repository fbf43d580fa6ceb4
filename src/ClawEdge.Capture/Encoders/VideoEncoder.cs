using ClawEdge.Capture.Mp4;

namespace ClawEdge.Capture.Encoders;

/// <summary>
/// Turns captured frames into samples of an <see cref="Mp4Writer"/>. Implementations: H.264 passthrough
/// (the camera encodes), a V4L2 memory-to-memory H.264 encoder, libx264, Motion JPEG. <see cref="Codec"/> and <see cref="Name"/> are what the
/// result reports, so a clip is never silently different from what it says it is.
/// </summary>
public abstract class VideoEncoder : IDisposable
{
    public abstract VideoCodec Codec { get; }

    /// <summary>Which implementation: <c>h264-passthrough</c>, <c>v4l2m2m</c>, <c>libx264</c>, <c>mjpeg</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Width and height of the encoded picture (an H.264 encoder crops odd sizes to even).</summary>
    public abstract int Width { get; }

    public abstract int Height { get; }

    /// <summary>Encodes one frame and adds it to <paramref name="writer"/> with the frame's own timestamp.</summary>
    public abstract SampleOutcome Encode(in Frame frame, Mp4Writer writer);

    public abstract void Dispose();

    /// <summary>The codec name used in results: <c>h264</c> or <c>mjpeg</c>.</summary>
    public string CodecName => Codec == VideoCodec.H264 ? "h264" : "mjpeg";
}
