using System.Diagnostics;
using System.Globalization;
using ClawEdge.Capture;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Mp4;
using ClawEdge.Capture.Recording;
using ClawEdge.Capture.Screen;

namespace ClawEdge.Cli;

/// <summary>
/// <c>clawedge media-bench</c>: measures the recording hot path on this machine — frames per second for
/// capture → encode → mux with no pacing, managed bytes allocated per frame after warm-up, and a real paced
/// recording's peak RSS. Figures for docs/PERFORMANCE.md ("Clips and screen"); see bench/media-bench.sh.
/// <code>
///   clawedge media-bench screen [auto|libx264|mjpeg] [frames]        ($WAYLAND_DISPLAY, else $DISPLAY)
///   clawedge media-bench record [auto|libx264|mjpeg] [seconds] [fps]
///   clawedge media-bench camera [auto|libx264|mjpeg] [frames] [yuyv|rgbx|mjpeg]   (1080p test pattern, unpaced)
/// </code>
/// </summary>
public static class MediaBench
{
    public static int Execute(CommandLine line)
    {
        string mode = line.Positionals.ElementAtOrDefault(0) ?? "screen";
        string encoderName = line.Positionals.ElementAtOrDefault(1) ?? "auto";
        return mode switch
        {
            "screen" => Throughput(encoderName, Int(line, 2, 300)),
            "record" => Record(encoderName, Int(line, 2, 60), Int(line, 3, 10)),
            "convert" => ConvertOnly(Int(line, 2, 200)),
            "camera" => Camera(encoderName, Int(line, 2, 300), line.Positionals.ElementAtOrDefault(3) ?? "yuyv"),
            _ => Program.Fail($"media-bench: unknown mode '{mode}' (screen, record)", 2),
        };
    }

    /// <summary>The screen <c>screen.record</c> would record with no <c>Screen:Display</c> set.</summary>
    private static ScreenCapture OpenScreen()
    {
        var (display, wayland) = Commands.Screen.ScreenRecordCommand.ChooseDisplay(null);
        return wayland ? WaylandScreenCapture.Open(display, 0) : X11ScreenCapture.Open(display, 0);
    }

    private static int Int(CommandLine line, int index, int fallback) =>
        int.TryParse(line.Positionals.ElementAtOrDefault(index), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : fallback;

    private static int Throughput(string encoderName, int frames)
    {
        const int warmUp = 10;
        using var capture = OpenScreen();
        using var encoder = VideoEncoders.Open(encoderName, capture.PixelFormat, capture.Width, capture.Height, 30, out string? why);
        if (encoder is null)
            return Program.Fail($"media-bench: no encoder: {why}", 1);
        using var writer = new Mp4Writer(encoder.Codec, encoder.Width, encoder.Height, frames + warmUp, 1L << 30);
        long origin = Stopwatch.GetTimestamp();
        string figures = MeasureLoop(writer, frames, warmUp, "grab", i =>
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
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"BGRX → I420 1920x1080: {ms:F2} ms per frame (Vector128 {(System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? "on" : "off")})"));
        return 0;
    }

    private static int Camera(string encoderName, int frames, string formatName)
    {
        const int warmUp = 10;
        var format = Commands.Camera.CameraCatalog.ParseFormat(formatName) ?? Capture.PixelFormat.Yuyv;
        // 1000 fps: the pattern never makes the loop wait, so this measures paint → encode → mux.
        var camera = new Capture.TestPattern.TestPatternCamera(1920, 1080, 1000, format);
        using var session = camera.Open(new Capture.CaptureRequest());
        var mode = session.Mode;
        using var encoder = VideoEncoders.Open(encoderName, mode.Format, mode.Width, mode.Height, 30, out string? why);
        if (encoder is null)
            return Program.Fail($"media-bench: no encoder: {why}", 1);
        using var writer = new Mp4Writer(encoder.Codec, encoder.Width, encoder.Height, frames + warmUp, 1L << 30);
        string figures = MeasureLoop(writer, frames, warmUp, "source", _ =>
        {
            long t0 = Stopwatch.GetTimestamp();
            using var lease = session.ReadFrame(TimeSpan.FromSeconds(5));
            long t1 = Stopwatch.GetTimestamp();
            encoder.Encode(lease.Frame, writer);
            return (t1 - t0, Stopwatch.GetTimestamp() - t1);
        });
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test pattern {mode.Width}x{mode.Height} {mode.Format.FourCc()}, {encoder.Name} ({encoder.CodecName}): {figures}"));
        return 0;
    }

    private static int Record(string encoderName, int seconds, int fps)
    {
        using var capture = OpenScreen();
        using var encoder = VideoEncoders.Open(encoderName, capture.PixelFormat, capture.Width, capture.Height, fps, out string? why);
        if (encoder is null)
            return Program.Fail($"media-bench: no encoder: {why}", 1);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        using var recording = ScreenRecorder.Record(capture, encoder, TimeSpan.FromSeconds(seconds), fps,
            RecordingLimits.ForPayload(26_148_864), CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"recorded {recording.Duration.TotalSeconds:F2} s of {capture.Width}x{capture.Height} at {fps} fps with {encoder.Name}: {recording.Frames} frames, " +
            $"{recording.File.Length} bytes; CPU {cpu.TotalSeconds:F1} s ({cpu.TotalSeconds / recording.Duration.TotalSeconds * 100:F0} % of one core); " +
            $"managed bytes allocated during the whole recording {allocated} ({allocated / (double)recording.Frames:F1} per frame, set-up included); " +
            $"peak RSS {PeakRssMb():F1} MB"));
        return 0;
    }

    /// <summary>
    /// Runs <paramref name="warmUp"/> + <paramref name="frames"/> steps (each gets one frame and encodes it into
    /// <paramref name="writer"/>, returning the ticks of both halves) and reports the measured ones: rate, time per
    /// half, managed bytes per frame after warm-up and peak RSS.
    /// </summary>
    private static string MeasureLoop(Mp4Writer writer, int frames, int warmUp, string sourceLabel, Func<int, (long Source, long Encode)> step)
    {
        long storageBefore = 0, allocatedBefore = 0, sourceTicks = 0, encodeTicks = 0, measuredStart = 0;
        for (int i = 0; i < frames + warmUp; i++)
        {
            if (i == warmUp)
            {
                allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                storageBefore = writer.MediaStorageBytes;
                measuredStart = Stopwatch.GetTimestamp();
            }
            var (source, encode) = step(i);
            if (i >= warmUp)
            {
                sourceTicks += source;
                encodeTicks += encode;
            }
        }
        // New 1 MiB chunks of the file itself come from the pool (fresh arrays the first time): counted apart.
        long storage = writer.MediaStorageBytes - storageBefore;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore - storage;
        double seconds = Stopwatch.GetElapsedTime(measuredStart).TotalSeconds;
        double ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / frames;
        return string.Create(CultureInfo.InvariantCulture,
            $"{frames} frames in {seconds:F2} s = {frames / seconds:F1} fps; {sourceLabel} {ms(sourceTicks):F2} ms, convert+encode+mux {ms(encodeTicks):F2} ms per frame; " +
            $"managed bytes per frame after warm-up: {allocated / (double)frames:F1} (+ {storage / (double)frames:F0} of file storage); {writer.MediaBytes / frames} media bytes per frame; peak RSS {PeakRssMb():F1} MB");
    }

    private static double PeakRssMb()
    {
        foreach (var text in File.ReadLines("/proc/self/status"))
            if (text.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(text.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
        return 0;
    }
}
