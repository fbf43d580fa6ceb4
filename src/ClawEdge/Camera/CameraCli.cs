using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClawEdge.Capture;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Native;
using ClawEdge.Capture.V4l2;
using ClawEdge.Config;

using ClawEdge.Cli;

namespace ClawEdge.Camera;

/// <summary>
/// <c>clawedge camera list|snap|probe|layout|bench</c>: for the owner setting a device up, and for the VM
/// harness that runs this binary against the kernel's vivid driver.
/// </summary>
public static class CameraCli
{
    public const string Usage = """
        clawedge camera list [--json] [--test-pattern]           cameras this machine offers (V4L2, rpicam, test pattern)
        clawedge camera snap -o <file.jpg> [--device <id>] [--width <maxWidth>] [--quality <0-1>] [--delay-ms <ms>] [--format <fmt>] [--json]
        clawedge camera probe --device </dev/videoN> [--frames 30] [--format yuyv|mjpeg|…] [--width W --height H --fps R] [--json]
        clawedge camera layout --json                             managed V4L2 struct sizes/offsets and ioctl numbers
        clawedge camera bench [--json]                            conversion, JPEG and per-frame allocation figures
        clawedge camera bench clip [auto|v4l2m2m|libx264|mjpeg] [frames] [yuyv|rgbx|mjpeg]   test pattern → encode → mux, unpaced
        clawedge camera bench m2m [h264|fwht] [--device D] [--format yu12|nv12] [--width W --height H] [--frames N] [--copy] [-o coded] [--file source.i420] [--json]
                                                                  V4L2 memory-to-memory encoder: negotiation, buffer flow, drain, busy, fps
        """;

    public static int Execute(CommandLine line)
    {
        string sub = line.Positionals.Count > 0 ? line.Positionals[0] : "help";
        try
        {
            return sub switch
            {
                "list" => List(line),
                "snap" => Snap(line),
                "probe" => Probe(line),
                "layout" => Layout(),
#if !NO_BENCH
                "bench" when line.Positionals.ElementAtOrDefault(1) == "m2m" => CameraM2mBench.Run(line),
                "bench" when line.Positionals.ElementAtOrDefault(1) == "clip" => CameraClipBench.Clip(line.Positionals.ElementAtOrDefault(2) ?? "auto",
                    int.TryParse(line.Positionals.ElementAtOrDefault(3), out int frames) ? frames : 300, line.Positionals.ElementAtOrDefault(4) ?? "yuyv"),
                "bench" => CameraBench.Run(line.Has("--json")),
#endif
                _ => Program.Print(Usage),
            };
        }
        catch (CaptureException e)
        {
            if (line.Has("--json"))
                Console.Out.WriteLine(JsonSerializer.Serialize(new CliError { Ok = false, Error = new ErrorInfo { Kind = e.Error.ToString(), Message = e.Message } }, CameraCliJsonContext.Default.CliError));
            return Program.Fail($"camera: {e.Message}", e.Error == CaptureError.Unsupported ? 4 : 3);
        }
    }

    private static CameraOptions LoadOptions(CommandLine line)
    {
        var options = ConfigLoader.Load(line.Option("--config"), line.ConfigOverrides).Camera;
        if (line.Has("--test-pattern"))
            options.TestPattern = true;
        return options;
    }

    private static int List(CommandLine line)
    {
        var catalog = new CameraCatalog(LoadOptions(line));
        var devices = catalog.List().Select(c => CameraListCommand.Describe(c.Info)).ToList();
        if (line.Has("--json"))
            return Program.Print(JsonSerializer.Serialize(new CameraListResult { Devices = devices }, CameraCliJsonContext.Default.CameraListResult));
        if (devices.Count == 0)
            return Program.Print("no cameras (add --test-pattern for the built-in test pattern)");
        foreach (var d in devices)
        {
            var formats = d.Formats.GroupBy(f => f.Format).Select(g => $"{g.Key} up to {g.MaxBy(f => (long)f.Width * f.Height)!.Width}x{g.MaxBy(f => (long)f.Width * f.Height)!.Height}");
            Console.Out.WriteLine($"{d.Id}\t{d.Name}\t{d.Backend}\t{d.Position}\t{string.Join(", ", formats)}");
        }
        return 0;
    }

    private static int Snap(CommandLine line)
    {
        string output = line.Option("-o") ?? line.Option("--output") ?? throw new UsageException("camera snap needs -o <file.jpg>");
        var catalog = new CameraCatalog(LoadOptions(line));
        string? id = line.Option("--device");
        var chosen = catalog.Choose(id, null) ?? default;
        if (chosen.Source is null)
        {
            // A device path that enumeration skipped may still be worth a direct try (it says why it fails).
            if (id is not null && id.StartsWith("/dev/video", StringComparison.Ordinal))
                chosen = (V4l2Camera.Probe(id) ?? throw new CaptureException(CaptureError.Unsupported, $"{id} is not a streaming capture device"), null!, null);
            else
                return Program.Fail(id is null ? CameraCatalog.NoCameraMessage : $"camera device not found: {id}", 3);
        }
        int maxWidth = int.TryParse(line.Option("--width"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int w) ? w : 1600;
        double quality = double.TryParse(line.Option("--quality"), NumberStyles.Float, CultureInfo.InvariantCulture, out double q) ? (q > 1 ? q / 100 : q) : 0.9;
        int delayMs = int.TryParse(line.Option("--delay-ms"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int d) ? Math.Clamp(d, 0, 10_000) : 500;
        var format = CameraCatalog.ParseFormat(line.Option("--format")) ?? chosen.Preferred;
        var started = Stopwatch.GetTimestamp();
        var snapshot = CameraSnapper.Take(chosen.Source, format, (int)Math.Round(Math.Clamp(quality, 0.05, 1) * 100), maxWidth, delayMs, long.MaxValue, CancellationToken.None);
        State.AtomicFile.Write(output, snapshot.Jpeg.Span);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (line.Has("--json"))
            return Program.Print(JsonSerializer.Serialize(new SnapSummary
            {
                Ok = true, Device = chosen.Source.Info.Id, Path = Path.GetFullPath(output), Width = snapshot.Width, Height = snapshot.Height, Bytes = snapshot.Jpeg.Length,
                SourceFormat = snapshot.SourceFormat.FourCc(), SourceWidth = snapshot.SourceWidth, SourceHeight = snapshot.SourceHeight,
                Passthrough = snapshot.Passthrough, Encoder = snapshot.Encoding.Name(), ElapsedMs = Math.Round(elapsed.TotalMilliseconds, 1),
            }, CameraCliJsonContext.Default.SnapSummary));
        return Program.Print($"{output}: {snapshot.Width}x{snapshot.Height} JPEG, {snapshot.Jpeg.Length} bytes from {chosen.Source.Info.Id} ({snapshot.SourceFormat.FourCc()}, {(snapshot.Passthrough ? "passed through" : snapshot.Encoding.Name())})");
    }

    private static int Layout()
    {
        var entries = new SortedDictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var (key, value) in V4l2Layout.Entries())
            entries[key] = value;
        return Program.Print(JsonSerializer.Serialize(new LayoutResult
        {
            Architecture = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            Entries = entries,
        }, CameraCliJsonContext.Default.LayoutResult));
    }

    /// <summary>Enumerate, negotiate, set the rate, stream N frames via mmap, and try a second opener while streaming.</summary>
    private static int Probe(CommandLine line)
    {
        string device = line.Option("--device") ?? "/dev/video0";
        int frames = int.TryParse(line.Option("--frames"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? Math.Clamp(n, 1, 10_000) : 30;
        var camera = V4l2Camera.Probe(device) ?? throw new CaptureException(CaptureError.Unsupported, $"{device} is not a streaming capture device");
        var caps = camera.Capabilities ?? throw new CaptureException(CaptureError.PermissionDenied, $"{device}: permission denied; add the user to the 'video' group");
        PixelFormat? format = line.Option("--format") is { } f ? CameraCatalog.ParseFormat(f) ?? throw new UsageException($"unknown format {f}") : null;
        int? width = int.TryParse(line.Option("--width"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int w) ? w : null;
        int? height = int.TryParse(line.Option("--height"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int h) ? h : null;
        double? fps = double.TryParse(line.Option("--fps"), NumberStyles.Float, CultureInfo.InvariantCulture, out double r) ? r : null;

        var result = new ProbeResult
        {
            Device = device, Driver = caps.Driver, Card = caps.Card, BusInfo = caps.BusInfo,
            Capabilities = $"0x{caps.Capabilities:x8}", DeviceCaps = $"0x{caps.DeviceCaps:x8}", MultiPlanar = caps.MultiPlanar,
            Formats = camera.Formats.Select(x => new ProbeFormat
            {
                FourCc = x.FourCcText, Description = x.Description, Compressed = x.Compressed,
                Sizes = x.Sizes.Select(s => new ProbeSize { Width = s.Width, Height = s.Height, Fps = s.FramesPerSecond.ToList(), Stepwise = s.Stepwise }).ToList(),
            }).ToList(),
        };

        // Without a size, probe at 640x360 or the next size up: a 4K mode at 2 fps would take 15 s for 30 frames.
        var session = (V4l2Session)camera.Open(new CaptureRequest(width ?? 640, height ?? (width is null ? 360 : null), format, fps ?? 30));
        try
        {
            result.Negotiated = new ProbeNegotiated
            {
                Format = session.Format.FourCc(), Width = session.Width, Height = session.Height, BytesPerLine = session.BytesPerLine,
                SizeImage = session.SizeImage, Fps = session.FramesPerSecond, RateSet = session.RateSet, Buffers = session.BufferCount,
            };
            // Frame facts go into preallocated arrays: the loop itself must not allocate (measured below).
            var sequence = new long[frames];
            var bytes = new int[frames];
            var stamps = new long[frames];
            var jpegOk = new bool[frames];
            int warm = Math.Min(3, frames - 1);
            long allocatedBefore = 0;
            var start = Stopwatch.GetTimestamp();
            for (int i = 0; i < frames; i++)
            {
                if (i == warm)
                    allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                using var lease = session.ReadFrame(TimeSpan.FromSeconds(5));
                var frame = lease.Frame;
                sequence[i] = frame.Sequence;
                bytes[i] = frame.Data.Length;
                stamps[i] = (long)(frame.Timestamp.Ticks / 10);
                jpegOk[i] = frame.Data.Length > 4 && frame.Data[0] == 0xFF && frame.Data[1] == 0xD8;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            var elapsed = Stopwatch.GetElapsedTime(start);

            // A second opener while we stream: open() succeeds, S_FMT/REQBUFS/STREAMON must fail with EBUSY.
            try
            {
                using var second = camera.Open(new CaptureRequest(session.Width, session.Height, session.Format, fps ?? 30));
                result.Busy = new ProbeBusy { Kind = "none", Message = "a second session opened while streaming" };
            }
            catch (CaptureException e)
            {
                result.Busy = new ProbeBusy { Kind = e.Error.ToString(), Message = e.Message };
            }

            result.Frames = Enumerable.Range(0, frames).Select(i => new ProbeFrame { Sequence = sequence[i], BytesUsed = bytes[i], TimestampUs = stamps[i] }).ToList();
            result.Count = frames;
            result.Monotonic = Enumerable.Range(1, frames - 1).All(i => stamps[i] > stamps[i - 1]);
            result.SequenceIncreasing = Enumerable.Range(1, frames - 1).All(i => sequence[i] > sequence[i - 1]);
            result.JpegFrames = session.Format.IsCompressed() ? jpegOk.Count(x => x) : null;
            result.FullFrames = session.Format.IsCompressed() ? null : bytes.Count(b => b >= session.SizeImage);
            result.MeasuredFps = frames > 1 ? Math.Round((frames - 1) / ((stamps[^1] - stamps[0]) / 1e6), 2) : 0;
            result.ElapsedMs = Math.Round(elapsed.TotalMilliseconds, 1);
            result.AllocatedBytesPerFrame = frames > warm ? Math.Round((double)allocated / (frames - warm), 1) : 0;
            result.Ok = result.Monotonic && result.SequenceIncreasing && result.Busy.Kind == nameof(CaptureError.Busy);
        }
        finally
        {
            session.Dispose();
        }
        Console.Out.WriteLine(JsonSerializer.Serialize(result, CameraCliJsonContext.Default.ProbeResult));
        return result.Ok ? 0 : 1;
    }
}

public sealed class CliError
{
    public bool Ok { get; init; }
    public required ErrorInfo Error { get; init; }
}

public sealed class ErrorInfo
{
    public required string Kind { get; init; }
    public required string Message { get; init; }
}

public sealed class SnapSummary
{
    public bool Ok { get; init; }
    public required string Device { get; init; }
    public required string Path { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public int Bytes { get; init; }
    public required string SourceFormat { get; init; }
    public int SourceWidth { get; init; }
    public int SourceHeight { get; init; }
    public bool Passthrough { get; init; }
    public string Encoder { get; init; } = "";
    public double ElapsedMs { get; init; }
}

public sealed class LayoutResult
{
    public required string Architecture { get; init; }
    public required SortedDictionary<string, ulong> Entries { get; init; }
}

public sealed class ProbeResult
{
    public bool Ok { get; set; }
    public required string Device { get; init; }
    public required string Driver { get; init; }
    public required string Card { get; init; }
    public required string BusInfo { get; init; }
    public required string Capabilities { get; init; }
    public required string DeviceCaps { get; init; }
    public bool MultiPlanar { get; init; }
    public required List<ProbeFormat> Formats { get; init; }
    public ProbeNegotiated? Negotiated { get; set; }
    public int Count { get; set; }
    public bool Monotonic { get; set; }
    public bool SequenceIncreasing { get; set; }
    public int? FullFrames { get; set; }
    public int? JpegFrames { get; set; }
    public double MeasuredFps { get; set; }
    public double ElapsedMs { get; set; }
    public double AllocatedBytesPerFrame { get; set; }
    public ProbeBusy? Busy { get; set; }
    public List<ProbeFrame>? Frames { get; set; }
}

public sealed class ProbeFormat
{
    public required string FourCc { get; init; }
    public required string Description { get; init; }
    public bool Compressed { get; init; }
    public required List<ProbeSize> Sizes { get; init; }
}

public sealed class ProbeSize
{
    public int Width { get; init; }
    public int Height { get; init; }
    public required List<double> Fps { get; init; }
    public bool Stepwise { get; init; }
}

public sealed class ProbeNegotiated
{
    public required string Format { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public int BytesPerLine { get; init; }
    public int SizeImage { get; init; }
    public double Fps { get; init; }
    public bool RateSet { get; init; }
    public int Buffers { get; init; }
}

public sealed class ProbeFrame
{
    public long Sequence { get; init; }
    public int BytesUsed { get; init; }
    public long TimestampUs { get; init; }
}

public sealed class ProbeBusy
{
    public required string Kind { get; init; }
    public required string Message { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CliError))]
[JsonSerializable(typeof(SnapSummary))]
[JsonSerializable(typeof(LayoutResult))]
[JsonSerializable(typeof(ProbeResult))]
[JsonSerializable(typeof(CameraListResult))]
#if !NO_BENCH
[JsonSerializable(typeof(CameraBenchResult))]
[JsonSerializable(typeof(M2mBenchResult))]
#endif
internal sealed partial class CameraCliJsonContext : JsonSerializerContext;
