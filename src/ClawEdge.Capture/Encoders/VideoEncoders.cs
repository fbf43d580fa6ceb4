namespace ClawEdge.Capture.Encoders;

/// <summary>Picks the best encoder this machine has for raw frames: libx264 (H.264), else Motion JPEG.</summary>
public static class VideoEncoders
{
    /// <param name="preference"><c>auto</c>, <c>libx264</c> or <c>mjpeg</c>.</param>
    /// <returns>The encoder, or null with <paramref name="reason"/> when none can be opened.</returns>
    public static VideoEncoder? Open(string preference, int width, int height, double framesPerSecond, out string? reason)
    {
        reason = null;
        string p = preference.ToLowerInvariant();
        if (p is "auto" or "libx264" or "h264")
        {
            var x264 = X264Encoder.TryCreate(width, height, framesPerSecond, out reason);
            if (x264 is not null || p != "auto")
                return x264;
        }
        if (p is not ("auto" or "mjpeg"))
        {
            reason = $"unknown encoder '{preference}' (auto, libx264, mjpeg)";
            return null;
        }
        reason = (reason is null ? "" : reason + "; ") + "Motion JPEG needs the JPEG encoder";
        return null;
    }
}
