using System.Buffers;
using System.Diagnostics;
using ClawEdge.Capture;
using ClawEdge.Capture.Jpeg;

namespace ClawEdge.Camera;

/// <summary>Open, warm up, take one frame, encode within a size budget. Shared by <c>camera.snap</c> and <c>clawedge camera snap</c>.</summary>
public static class CameraSnapper
{
    /// <param name="quality">1–100.</param>
    /// <param name="maxJpegBytes">Largest JPEG the caller can carry; bigger results are re-encoded smaller, else PAYLOAD_TOO_LARGE.</param>
    public static CameraSnapshot Take(CameraSource source, PixelFormat? format, int quality, int maxWidth, int delayMs, long maxJpegBytes, CancellationToken cancellationToken)
    {
        using var session = source.Open(new CaptureRequest(Width: maxWidth > 0 ? maxWidth : null, Format: format));
        var timeout = TimeSpan.FromSeconds(5);
        // Auto exposure and white balance settle over the first frames: read and drop them for delayMs.
        if (delayMs > 0 && source.Info.Backend != "rpicam")
        {
            long until = Stopwatch.GetTimestamp() + delayMs * Stopwatch.Frequency / 1000;
            while (Stopwatch.GetTimestamp() < until)
            {
                using var discard = session.ReadFrame(timeout, cancellationToken);
            }
        }
        using var lease = session.ReadFrame(timeout, cancellationToken);
        var frame = lease.Frame;
        var output = new ArrayBufferWriter<byte>(Math.Max(64 * 1024, frame.Data.Length / 4));
        int q = quality, width = maxWidth;
        for (int attempt = 1; ; attempt++)
        {
            output.ResetWrittenCount();
            FrameJpeg.Encode(frame, q, width, output, out int w, out int h, out JpegEncoding encoding, forceReencode: attempt > 1);
            if (output.WrittenCount <= maxJpegBytes)
                return new CameraSnapshot(output.WrittenMemory, w, h, encoding, frame.Format, frame.Width, frame.Height, attempt);
            if (attempt == 4)
                throw new SnapTooLargeException($"the JPEG is {output.WrittenCount} bytes after {attempt} attempts (down to {w}x{h} at quality {q}); the gateway accepts {maxJpegBytes}");
            // Smaller and coarser each round, as the reference does before giving up.
            q = Math.Max(20, q * 7 / 10);
            width = Math.Max(160, (int)((width > 0 ? Math.Min(width, w) : w) * 0.75));
        }
    }
}

public sealed class SnapTooLargeException(string message) : Exception(message);
