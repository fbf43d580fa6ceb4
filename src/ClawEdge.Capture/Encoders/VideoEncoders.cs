using ClawEdge.Capture.Native;
using ClawEdge.Capture.V4l2;

namespace ClawEdge.Capture.Encoders;

/// <summary>
/// Picks the best encoder this machine has, in the order of the issue: the camera's own H.264 (passthrough), a
/// V4L2 memory-to-memory H.264 encoder (the Pi 4 / 3 / Zero 2 W <c>/dev/video11</c>), libx264, then Motion JPEG.
/// </summary>
public static class VideoEncoders
{
    /// <param name="preference"><c>auto</c>, <c>v4l2m2m</c>, <c>libx264</c> or <c>mjpeg</c>.</param>
    /// <param name="source">What the source delivers; H.264 is passed through whatever the preference.</param>
    /// <param name="m2mDevice">The memory-to-memory encoder's device; null or empty: the first <c>/dev/video*</c> that encodes H.264.</param>
    /// <returns>The encoder, or null with <paramref name="reason"/> when none can be opened.</returns>
    public static VideoEncoder? Open(string preference, PixelFormat source, int width, int height, double framesPerSecond, out string? reason,
        string? m2mDevice = null)
    {
        reason = null;
        if (source == PixelFormat.H264)
            return new H264Passthrough(width, height);
        string p = preference.ToLowerInvariant();
        if (p is not ("auto" or "v4l2m2m" or "libx264" or "h264" or "mjpeg"))
        {
            reason = $"unknown encoder '{preference}' (auto, v4l2m2m, libx264, mjpeg)";
            return null;
        }
        if (p is "auto" or "v4l2m2m")
        {
            string? device = string.IsNullOrWhiteSpace(m2mDevice) ? V4l2M2mSession.FindEncoder(V4l2Abi.PIX_FMT_H264) : m2mDevice.Trim();
            if (device is null)
                reason = "no V4L2 memory-to-memory H.264 encoder (/dev/video*)";
            else if (!V4l2M2mEncoder.CanEncode(source))
                reason = $"v4l2m2m path cannot take {source.FourCc()} frames";
            else if (V4l2M2mEncoder.TryCreate(device, width, height, framesPerSecond, out reason) is { } m2m)
                return m2m;
            if (p == "v4l2m2m")
                return null;
        }
        if (p != "mjpeg")
        {
            if (!X264Encoder.CanEncode(source))
                reason = $"libx264 path cannot take {source.FourCc()} frames";
            else if (X264Encoder.TryCreate(width, height, framesPerSecond, out reason) is { } x264)
                return x264;
            if (p != "auto")
                return null;
        }
        return new MjpegEncoder(width, height);
    }
}
