using System.Diagnostics;
using System.Text.Json;
using ClawEdge.Capture;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.TestPattern;
using ClawEdge.Capture.V4l2;
using ClawEdge.Cli;

namespace ClawEdge.Camera;

/// <summary>
/// <c>clawedge camera bench m2m [h264|fwht] [--device D] [--format yu12|nv12] [--width W --height H] [--frames N]
/// [--copy] [-o coded] [--file source.yuv] [--json]</c>: the memory-to-memory encoder session on a real driver (the Pi's
/// <c>bcm2835-codec</c>, or <c>vicodec</c> in the test VM): format negotiation, a pipelined run of test-pattern frames
/// through every raw buffer, drain to the LAST buffer, the kernel's busy answers, managed bytes per frame and fps.
/// The coded stream and the I420 source frames can be written out to check the output with another decoder.
/// </summary>
public static class CameraM2mBench
{
    private const int TimeoutMs = 5000;
    private const int DistinctFrames = 8;

    public static unsafe int Run(CommandLine line)
    {
        string codecName = line.Positionals.ElementAtOrDefault(2) ?? "h264";
        uint coded = codecName == "fwht" ? V4l2M2mSession.Fwht : V4l2M2mSession.H264;
        uint raw = line.Option("--format") == "nv12" ? V4l2M2mSession.Nv12 : V4l2M2mSession.Yu12;
        int width = int.TryParse(line.Option("--width"), out int w) ? w & ~1 : 640;
        int height = int.TryParse(line.Option("--height"), out int h) ? h & ~1 : 480;
        int frames = int.TryParse(line.Option("--frames"), out int f) ? Math.Max(f, 1) : 60;
        // --copy: the I420 frames copied in as they are (what v4l2-ctl --stream-from does), instead of converted from YUYV.
        bool copy = line.Has("--copy");
        var result = new M2mBenchResult { Copied = copy, Codec = V4l2M2mSession.FourCc(coded), RawFormat = V4l2M2mSession.FourCc(raw) };
        string? device = line.Option("--device");
        result.FoundByScan = device is null;
        device ??= V4l2M2mSession.FindEncoder(coded);
        if (device is null)
            return Program.Fail($"camera bench m2m: no memory-to-memory {result.Codec} encoder in /dev/video*", 4);
        result.Device = device;

        // The source: 8 distinct test-pattern frames (YUYV, as a camera gives them), as I420 references too.
        var painter = new TestPatternPainter(width, height, PixelFormat.Yuyv);
        var yuyv = new byte[DistinctFrames][];
        var i420 = new byte[DistinctFrames][];
        int lumaBytes = width * height, chromaBytes = width / 2 * (height / 2);
        for (int i = 0; i < DistinctFrames; i++)
        {
            yuyv[i] = new byte[width * height * 2];
            painter.Paint(yuyv[i], i, i * 333);
            i420[i] = new byte[lumaBytes + 2 * chromaBytes];
            fixed (byte* p = i420[i])
                I420Converter.Convert(new Frame(yuyv[i], width, height, width * 2, PixelFormat.Yuyv, TimeSpan.Zero, 0), width, height,
                    p, width, p + lumaBytes, width / 2, p + lumaBytes + chromaBytes, width / 2);
        }
        if (line.Option("--file") is { } sourcePath)
        {
            using var source = File.Create(sourcePath);
            foreach (var frame in i420)
                source.Write(frame);
        }

        string? codedPath = line.Option("-o") ?? line.Option("--output");
        using var output = codedPath is null ? null : new FileStream(codedPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var settings = new M2mEncoderSettings(BitrateBitsPerSecond: 2_000_000, GopSize: 300, FramesPerSecond: 30);
        using var session = V4l2M2mSession.Open(device, raw, coded, width, height, settings);
        result.Driver = session.Driver;
        result.MultiPlanar = session.MultiPlanar;
        result.Width = session.Width;
        result.Height = session.Height;
        result.BytesPerLine = session.BytesPerLine;
        result.RawSizeImage = session.RawSizeImage;
        result.CodedSizeImage = session.CodedSizeImage;
        result.OutputBuffers = session.OutputBufferCount;
        result.CaptureBuffers = session.CaptureBufferCount;
        result.GopRequested = settings.GopSize;
        result.GopApplied = session.GopSize;
        result.BitrateApplied = session.BitrateBitsPerSecond;
        result.ConstrainedBaseline = session.ConstrainedBaseline;

        long bytes = 0;
        int keyFrames = 0;
        void Collect(int timeoutMs)
        {
            while (session.TryDequeue(timeoutMs, out var c))
            {
                bytes += c.Data.Length;
                if (c.KeyFrame)
                    keyFrames++;
                output?.Write(c.Data);
                session.Release(c);
                if (c.Last)
                {
                    result.LastSeen = true;
                    return;
                }
                timeoutMs = 0;
            }
        }

        const int warmUp = 5;
        long allocatedBefore = 0, started = 0;
        for (int i = 0; i < frames; i++)
        {
            if (i == warmUp)
            {
                allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                started = Stopwatch.GetTimestamp();
            }
            M2mInput input;
            while (!session.TryGetInput(0, out input))
            {
                Collect(TimeoutMs); // every raw buffer is queued: wait for the driver to code one
                if (session.TryGetInput(TimeoutMs, out input))
                    break;
                return Program.Fail($"camera bench m2m: {device} returned no raw buffer within {TimeoutMs} ms", 3);
            }
            var frame = new Frame(yuyv[i % DistinctFrames], width, height, width * 2, PixelFormat.Yuyv, TimeSpan.FromMilliseconds(i * 33.333), i);
            int used = raw != V4l2M2mSession.Yu12 ? FillNv12(session, input, i420[i % DistinctFrames], width, height)
                : copy ? CopyI420(session, input, i420[i % DistinctFrames], width, height)
                : V4l2M2mEncoder.FillYu12(session, input, frame);
            session.Queue(input.Index, used, frame.Timestamp);
            Collect(0);
        }

        // Steady state: the frame loop after warm-up (what a recorder does per frame) allocates nothing managed.
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        session.Drain();
        while (!result.LastSeen && !session.Stopped)
        {
            int before = session.Encoded;
            Collect(TimeoutMs);
            if (session.Encoded == before && !result.LastSeen)
                break; // nothing within the timeout: reported as lastSeen false
        }
        double seconds = (double)(Stopwatch.GetTimestamp() - started) / Stopwatch.Frequency;

        // The raw resolution cannot change while the queue is busy: EBUSY from S_FMT.
        result.ResolutionChangeWhileStreaming = Outcome(() => session.SetResolution(width / 2, height / 2));
        // Another session on the same device while this one holds its buffers: a memory-to-memory device gives each
        // open its own context, so it encodes too. It keeps every coded buffer it gets, so one more frame waits for a
        // coded buffer when the stop comes: the framework is then draining, and a second stop is refused with EBUSY.
        result.SecondSession = Outcome(() =>
        {
            using var second = V4l2M2mSession.Open(device, raw, coded, width, height, settings);
            int pending = second.CaptureBufferCount + 1;
            for (int i = 0; i < pending; i++)
            {
                if (!second.TryGetInput(TimeoutMs, out var input))
                    throw new CaptureException(CaptureError.Timeout, "no raw buffer");
                int used = raw == V4l2M2mSession.Yu12
                    ? V4l2M2mEncoder.FillYu12(second, input, new Frame(yuyv[i % DistinctFrames], width, height, width * 2, PixelFormat.Yuyv, TimeSpan.FromMilliseconds(i), i))
                    : FillNv12(second, input, i420[i % DistinctFrames], width, height);
                second.Queue(input.Index, used, TimeSpan.FromMilliseconds(i));
            }
            second.Drain();
            result.SecondStopWhileDraining = Outcome(second.Drain);
            bool last = false;
            while (!last && second.TryDequeue(TimeoutMs, out var c))
            {
                last = c.Last;
                second.Release(c);
            }
            result.SecondSessionQueued = second.Queued;
            result.SecondSessionEncoded = second.Encoded;
            result.SecondSessionLastSeen = last;
        });
        output?.Flush();

        // The clip encoder (V4l2M2mEncoder) on the same device: one frame in flight, each Encode returning with its coded buffer.
        if (raw == V4l2M2mSession.Yu12)
            result.EncoderPath = Outcome(() => EncoderPath(device, coded, width, height, yuyv, result));

        result.Queued = session.Queued;
        result.Encoded = session.Encoded;
        result.KeyFrames = keyFrames;
        result.CodedBytes = bytes;
        result.SourceFrames = DistinctFrames;
        result.Fps = Math.Round((frames - warmUp) / seconds, 1);
        result.ManagedBytesPerFrame = allocated / Math.Max(1, frames - warmUp);
        if (line.Has("--json"))
            return Program.Print(JsonSerializer.Serialize(result, CameraCliJsonContext.Default.M2mBenchResult));
        Console.Out.WriteLine($"{device} ({result.Driver}, {(result.MultiPlanar ? "multi-planar" : "single-planar")}): {result.RawFormat} {result.Width}x{result.Height} → {result.Codec}, " +
            $"{result.Encoded}/{result.Queued} frames coded, LAST {(result.LastSeen ? "seen" : "missing")}, {result.Fps} fps, {result.ManagedBytesPerFrame} managed bytes/frame");
        return result.LastSeen && result.Encoded == result.Queued ? 0 : 1;

        static string Outcome(Action action)
        {
            try
            {
                action();
                return "ok";
            }
            catch (CaptureException e)
            {
                return $"{e.Error}: {e.Message}";
            }
        }
    }

    private static void EncoderPath(string device, uint coded, int width, int height, byte[][] yuyv, M2mBenchResult result)
    {
        const int frames = 20, warmUp = 5;
        using var encoder = V4l2M2mEncoder.TryCreate(device, width, height, 30, out string? why, coded)
            ?? throw new CaptureException(CaptureError.Failed, why ?? "no encoder");
        using var writer = new Capture.Mp4.Mp4Writer(encoder.Codec, encoder.Width, encoder.Height, frames, 64L << 20);
        long before = 0;
        for (int i = 0; i < frames; i++)
        {
            if (i == warmUp)
                before = GC.GetAllocatedBytesForCurrentThread();
            encoder.Encode(new Frame(yuyv[i % DistinctFrames], width, height, width * 2, PixelFormat.Yuyv, TimeSpan.FromMilliseconds(i * 33.333), i), writer);
            if (encoder.FramesCoded != encoder.FramesQueued)
                throw new CaptureException(CaptureError.Failed, $"frame {i}: {encoder.FramesCoded} coded of {encoder.FramesQueued} queued");
        }
        result.EncoderManagedBytesPerFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / (frames - warmUp);
        result.EncoderFrames = encoder.FramesCoded;
    }

    /// <summary>I420 rows copied into a YU12 raw buffer at the driver's bytes per line.</summary>
    private static unsafe int CopyI420(V4l2M2mSession session, in M2mInput input, byte[] i420, int width, int height)
    {
        int used = V4l2M2mEncoder.Yu12Layout(session, input, out byte* y, out byte* u, out byte* v, out int ys, out int cs);
        int lumaBytes = width * height, chromaBytes = width / 2 * (height / 2);
        fixed (byte* src = i420)
        {
            for (int row = 0; row < height; row++)
                Buffer.MemoryCopy(src + row * width, y + row * ys, width, width);
            for (int row = 0; row < height / 2; row++)
            {
                Buffer.MemoryCopy(src + lumaBytes + row * (width / 2), u + row * cs, width / 2, width / 2);
                Buffer.MemoryCopy(src + lumaBytes + chromaBytes + row * (width / 2), v + row * cs, width / 2, width / 2);
            }
        }
        return used;
    }

    /// <summary>NV12 into a raw buffer: the luma rows, then U and V interleaved, both at the driver's bytes per line.</summary>
    private static unsafe int FillNv12(V4l2M2mSession session, in M2mInput input, byte[] i420, int width, int height)
    {
        int stride = session.BytesPerLine;
        int used = stride * height + stride * (height / 2);
        if (used > input.Length)
            throw new CaptureException(CaptureError.Failed, $"raw buffer of {input.Length} bytes, a frame needs {used}");
        byte* y = input.Pointer, uv = y + stride * height;
        int lumaBytes = width * height, chromaBytes = width / 2 * (height / 2);
        fixed (byte* src = i420)
        {
            for (int row = 0; row < height; row++)
                Buffer.MemoryCopy(src + row * width, y + row * stride, width, width);
            for (int row = 0; row < height / 2; row++)
            {
                byte* u = src + lumaBytes + row * (width / 2), v = u + chromaBytes, d = uv + row * stride;
                for (int x = 0; x < width / 2; x++)
                {
                    d[2 * x] = u[x];
                    d[2 * x + 1] = v[x];
                }
            }
        }
        return used;
    }
}

public sealed class M2mBenchResult
{
    public string? Device { get; set; }
    public bool FoundByScan { get; set; }
    public bool Copied { get; set; }
    public string? Driver { get; set; }
    public bool MultiPlanar { get; set; }
    public string? RawFormat { get; set; }
    public string? Codec { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public int BytesPerLine { get; set; }
    public int RawSizeImage { get; set; }
    public int CodedSizeImage { get; set; }
    public int OutputBuffers { get; set; }
    public int CaptureBuffers { get; set; }
    public int GopRequested { get; set; }
    public int? GopApplied { get; set; }
    public int? BitrateApplied { get; set; }
    public bool ConstrainedBaseline { get; set; }
    public int Queued { get; set; }
    public int Encoded { get; set; }
    public int KeyFrames { get; set; }
    public bool LastSeen { get; set; }
    public long CodedBytes { get; set; }
    public int SourceFrames { get; set; }
    public double Fps { get; set; }
    public long ManagedBytesPerFrame { get; set; }
    public string? ResolutionChangeWhileStreaming { get; set; }
    public string? SecondSession { get; set; }
    public string? SecondStopWhileDraining { get; set; }
    public string? EncoderPath { get; set; }
    public int EncoderFrames { get; set; }
    public long EncoderManagedBytesPerFrame { get; set; }
    public int SecondSessionQueued { get; set; }
    public int SecondSessionEncoded { get; set; }
    public bool SecondSessionLastSeen { get; set; }
}
