using System.Diagnostics;
using System.Globalization;
using ClawEdge.Capture;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Mp4;
using ClawEdge.Capture.Recording;
using ClawEdge.Media;

namespace ClawEdge.Camera;

/// <summary><c>clawedge camera bench clip [auto|libx264|mjpeg] [frames] [yuyv|rgbx|mjpeg]</c>: 1080p test pattern → encode → mux, unpaced.</summary>
public static class CameraClipBench
{
    public static int Clip(string encoderName, int frames, string formatName)
    {
        const int warmUp = 10;
        var format = CameraCatalog.ParseFormat(formatName) ?? Capture.PixelFormat.Yuyv;
        // 1000 fps: the pattern never makes the loop wait, so this measures paint → encode → mux.
        var camera = new Capture.TestPattern.TestPatternCamera(1920, 1080, 1000, format);
        using var session = camera.Open(new Capture.CaptureRequest());
        var mode = session.Mode;
        using var encoder = VideoEncoders.Open(encoderName, mode.Format, mode.Width, mode.Height, 30, out string? why);
        if (encoder is null)
            return Program.Fail($"camera bench clip: no encoder: {why}", 1);
        using var writer = new Mp4Writer(encoder.Codec, encoder.Width, encoder.Height, frames + warmUp, 1L << 30);
        string figures = BenchLoop.MeasureLoop(writer, frames, warmUp, "source", _ =>
        {
            long t0 = Stopwatch.GetTimestamp();
            using var lease = session.ReadFrame(TimeSpan.FromSeconds(5));
            long t1 = Stopwatch.GetTimestamp();
            encoder.Encode(lease.Frame, writer);
            return (t1 - t0, Stopwatch.GetTimestamp() - t1);
        });
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test pattern {mode.Width}x{mode.Height} {mode.Format.FourCc()}, {encoder.Name} ({encoder.CodecName}{(encoder is X264Encoder { JpegDecoderName: { } decoder } ? $", JPEG decoded by {decoder}" : "")}): {figures}"));
        return 0;
    }
}
