namespace ClawEdge.Capture.Encoders;

/// <summary>
/// Picks the best encoder this machine has, in the order of the issue: the camera's own H.264 (passthrough),
/// libx264, then Motion JPEG. The V4L2 memory-to-memory encoder of the Raspberry Pi 4 / Zero 2 W
/// (<c>/dev/video11</c>) is not implemented: there is none on the machines the tests run on.
/// </summary>
public static class VideoEncoders
{
    /// <param name="preference"><c>auto</c>, <c>libx264</c> or <c>mjpeg</c>.</param>
    /// <param name="source">What the source delivers; H.264 is passed through whatever the preference.</param>
    /// <returns>The encoder, or null with <paramref name="reason"/> when none can be opened.</returns>
    public static VideoEncoder? Open(string preference, PixelFormat source, int width, int height, double framesPerSecond, out string? reason)
    {
        reason = null;
        if (source == PixelFormat.H264)
            return new H264Passthrough(width, height);
        string p = preference.ToLowerInvariant();
        if (p is not ("auto" or "libx264" or "h264" or "mjpeg"))
        {
            reason = $"unknown encoder '{preference}' (auto, libx264, mjpeg)";
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
