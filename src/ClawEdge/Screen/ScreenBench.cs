using System.Diagnostics;
using System.Globalization;
using ClawEdge.Capture;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Mp4;
using ClawEdge.Capture.Recording;
using ClawEdge.Capture.Screen;
using ClawEdge.Cli;
using ClawEdge.Host;
using ClawEdge.Media;

namespace ClawEdge.Screen;

/// <summary>
/// <c>clawedge screen bench</c>: the recording hot path on this machine — frames per second for grab → encode → mux
/// with no pacing, managed bytes per frame after warm-up, and a real paced recording's CPU and peak RSS.
/// Figures for docs/PERFORMANCE.md ("Clips and screen"); see bench/media-bench.sh.
/// <code>
///   clawedge screen bench grab [auto|libx264|mjpeg] [frames]     ($WAYLAND_DISPLAY, else $DISPLAY)
///   clawedge screen bench record [auto|libx264|mjpeg] [seconds] [fps]
///   clawedge screen bench convert [frames]                        (BGRX → I420 alone)
/// </code>
/// </summary>
public static class ScreenBench
{
    public static int Execute(CommandLine line)
    {
        // Positionals: "bench", the mode, then the mode's arguments.
        string mode = line.Positionals.ElementAtOrDefault(1) ?? "grab";
        string encoderName = line.Positionals.ElementAtOrDefault(2) ?? "auto";
        return mode switch
        {
            "grab" => Throughput(encoderName, Int(line, 3, 300)),
            "record" => Record(encoderName, Int(line, 3, 60), Int(line, 4, 10)),
            "convert" => ConvertOnly(Int(line, 2, 200)),
            _ => Program.Fail($"screen bench: unknown mode '{mode}' (grab, record, convert)", 2),
        };
    }

    private static int Int(CommandLine line, int index, int fallback) =>
        int.TryParse(line.Positionals.ElementAtOrDefault(index), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : fallback;

    /// <summary>The screen <c>screen.record</c> would record with no <c>Screen:Display</c> set.</summary>
    private static ScreenCapture OpenScreen()
    {
        var (display, wayland) = ScreenRecordCommand.ChooseDisplay(null);
        return wayland ? WaylandScreenCapture.Open(display, 0) : X11ScreenCapture.Open(display, 0);
    }

    private static int Throughput(string encoderName, int frames)
    {
        const int warmUp = 10;
        using var capture = OpenScreen();
        using var encoder = VideoEncoders.Open(encoderName, capture.PixelFormat, capture.Width, capture.Height, 30, out string? why);
        if (encoder is null)
            return Program.Fail($"screen bench: no encoder: {why}", 1);
        using var writer = new Mp4Writer(encoder.Codec, encoder.Width, encoder.Height, frames + warmUp, 1L << 30);
        long origin = Stopwatch.GetTimestamp();
        string figures = BenchLoop.MeasureLoop(writer, frames, warmUp, "grab", i =>
        {
            long t0 = Stopwatch.GetTimestamp();
            var frame = capture.Grab(Stopwatch.GetElapsedTime(origin), i);
            long t1 = Stopwatch.GetTimestamp();
            encoder.Encode(frame, writer);
            return (t1 - t0, Stopwatch.GetTimestamp() - t1);
        });
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"screen {capture.Width}x{capture.Height} via {capture.Method}, {encoder.Name} ({encoder.CodecName}): {figures}"));
        return 0;
    }

    // BGRX → I420 alone, to tell conversion from encoding in the screen figures.
    private static unsafe int ConvertOnly(int frames)
    {
        const int w = 1920, h = 1080;
        var pixels = new byte[w * h * 4];
        new Random(1).NextBytes(pixels);
        var planes = new byte[w * h * 3 / 2];
        long start = Stopwatch.GetTimestamp();
        fixed (byte* p = planes)
            for (int i = 0; i < frames; i++)
                I420Converter.Convert(new Frame(pixels, w, h, w * 4, PixelFormat.Bgrx32, TimeSpan.Zero, i), w, h, p, w, p + w * h, w / 2, p + w * h * 5 / 4, w / 2);
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds / frames;
        bool exact = I420Converter.MatchesScalar(new Frame(pixels, w, h, w * 4, PixelFormat.Bgrx32, TimeSpan.Zero, 0));
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BGRX → I420 1920x1080: {ms:F2} ms per frame ({I420Converter.PathName}; {I420Converter.Avx2State}), {(exact ? "bit-exact with" : "DIFFERS from")} the scalar formula"));
        return exact ? 0 : 1;
    }

    private static int Record(string encoderName, int seconds, int fps)
    {
        using var capture = OpenScreen();
        using var encoder = VideoEncoders.Open(encoderName, capture.PixelFormat, capture.Width, capture.Height, fps, out string? why);
        if (encoder is null)
            return Program.Fail($"screen bench: no encoder: {why}", 1);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        using var recording = ScreenRecorder.Record(capture, encoder, TimeSpan.FromSeconds(seconds), fps,
            MediaPayload.LimitsFor(PayloadBudget.GatewayDefault.MaxRelayedResultBytes), CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"recorded {recording.Duration.TotalSeconds:F2} s of {capture.Width}x{capture.Height} at {fps} fps with {encoder.Name}: {recording.Frames} frames, " +
            $"{recording.File.Length} bytes; CPU {cpu.TotalSeconds:F1} s ({cpu.TotalSeconds / recording.Duration.TotalSeconds * 100:F0} % of one core); " +
            $"managed bytes allocated during the whole recording {allocated} ({allocated / (double)recording.Frames:F1} per frame, set-up included); " +
            $"peak RSS {BenchLoop.PeakRssMb():F1} MB"));
        return 0;
    }
}
