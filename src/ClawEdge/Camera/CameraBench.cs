using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using ClawEdge.Capture;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Pixels;
using ClawEdge.Capture.Replay;
using ClawEdge.Capture.TestPattern;

using ClawEdge.Cli;

using ClawEdge.Platform;

namespace ClawEdge.Camera;

/// <summary>
/// <c>clawedge camera bench</c>: per-1080p-frame figures for docs/PERFORMANCE.md, measured in the shipped
/// (NativeAOT) binary: conversion throughput, JPEG encode (TurboJPEG from the YUV, Skia from RGB) against
/// <c>cjpeg</c> on the same frame with size and PSNR, MJPEG decode to I420, an MJPEG
/// passthrough snap, and managed bytes allocated per captured frame in steady state.
/// </summary>
public static class CameraBench
{
    private const int Width = 1920, Height = 1080;

    public static int Run(bool json)
    {
        var result = new CameraBenchResult();
        var random = new Random(42);

        // A camera-like YUYV frame: the test pattern with sensor noise (noise makes JPEG honest).
        var pattern = new TestPatternPainter(Width, Height, PixelFormat.Yuyv);
        var yuyv = new byte[Width * Height * 2];
        pattern.Paint(yuyv, 10, 333);
        for (int i = 0; i < yuyv.Length; i += 2)
            yuyv[i] = (byte)Math.Clamp(yuyv[i] + random.Next(-6, 7), 16, 235);
        var rgbx = new byte[Width * Height * 4];

        result.YuyvToRgbxMs = Time(200, () => PixelConverter.ToRgbx(PixelFormat.Yuyv, yuyv, Width, Height, Width * 2, rgbx, Width * 4));
        result.YuyvToRgbxGBps = Math.Round(yuyv.Length / (result.YuyvToRgbxMs / 1000) / 1e9, 2);
        result.YuyvToRgbxScalarMs = Time(20, () => ScalarPixelConverter.Packed422(yuyv, Width, Height, Width * 2, rgbx, Width * 4, yFirst: true));
        var nv12 = new byte[PixelFormat.Nv12.FrameBytes(Width, Height)];
        random.NextBytes(nv12);
        for (int i = 0; i < nv12.Length; i++)
            nv12[i] = (byte)(16 + nv12[i] * 219 / 255); // inside the camera's range, as a real frame is
        result.Nv12ToRgbxMs = Time(200, () => PixelConverter.ToRgbx(PixelFormat.Nv12, nv12, Width, Height, Width, rgbx, Width * 4));
        PixelConverter.ToRgbx(PixelFormat.Yuyv, yuyv, Width, Height, Width * 2, rgbx, Width * 4);

        var output = new ArrayBufferWriter<byte>(1 << 20);
        result.SkiaJpegQ85Ms = Time(30, () => { output.ResetWrittenCount(); JpegEncoder.Encode(rgbx, Width, Height, Width * 4, 85, 0, output, out _, out _); });
        result.SkiaJpegQ85Bytes = output.WrittenCount;
        result.SkiaJpegQ85Psnr = Psnr(rgbx, output.WrittenSpan);
        var skiaJpeg = output.WrittenSpan.ToArray();
        (result.CjpegQ85Ms, byte[] cjpegJpeg) = Cjpeg(rgbx);
        result.CjpegQ85Bytes = cjpegJpeg.Length;
        result.CjpegQ85Psnr = cjpegJpeg.Length > 0 ? Psnr(rgbx, cjpegJpeg) : 0;
        var yuyvFrame = () => new Frame(yuyv, Width, Height, Width * 2, PixelFormat.Yuyv, TimeSpan.Zero, 0);
        if (TurboJpegEncoder.IsAvailable(out string? turboMissing))
        {
            result.TurboJpegQ85Ms = Time(30, () => { output.ResetWrittenCount(); TurboJpegEncoder.TryEncode(yuyvFrame(), 85, 0, output, out _, out _, out _); });
            result.TurboJpegQ85Bytes = output.WrittenCount;
            result.TurboJpegQ85Psnr = Psnr(rgbx, output.WrittenSpan);
            result.TurboJpegOverCjpeg = result.CjpegQ85Ms > 0 ? Math.Round(result.TurboJpegQ85Ms / result.CjpegQ85Ms, 2) : 0;
            result.TurboJpeg420Q85Ms = Time(30, () => { output.ResetWrittenCount(); TurboJpegEncoder.TryEncode(yuyvFrame(), 85, 0, output, out _, out _, out _, yuyvAs420: true); });
            result.TurboJpeg420Q85Bytes = output.WrittenCount;
            result.TurboJpeg420Q85Psnr = Psnr(rgbx, output.WrittenSpan);
            result.TurboJpeg420OverCjpeg = result.CjpegQ85Ms > 0 ? Math.Round(result.TurboJpeg420Q85Ms / result.CjpegQ85Ms, 2) : 0;
            result.TurboJpegQ85Resize1600Ms = Time(30, () => { output.ResetWrittenCount(); TurboJpegEncoder.TryEncode(yuyvFrame(), 85, 1600, output, out _, out _, out _); });
            result.TurboJpegNv12Q85Ms = Time(30, () => { output.ResetWrittenCount(); TurboJpegEncoder.TryEncode(new Frame(nv12, Width, Height, Width, PixelFormat.Nv12, TimeSpan.Zero, 0), 85, 0, output, out _, out _, out _); });
            // Managed bytes per encode in steady state (the output writer already has its capacity).
            result.TurboJpegAllocatedBytesPerEncode = AllocatedBytesPerCall(20, () =>
            {
                output.ResetWrittenCount();
                TurboJpegEncoder.TryEncode(yuyvFrame(), 85, 1600, output, out _, out _, out _);
            });
            MjpegToI420(skiaJpeg, result);
            output.ResetWrittenCount();
            MjpegResize(TurboJpegEncoder.TryEncode(yuyvFrame(), 90, 0, output, out _, out _, out _) ? output.WrittenSpan.ToArray() : skiaJpeg, result);
        }
        else
        {
            result.TurboJpegMissing = turboMissing;
        }
        result.SkiaJpegQ85Resize1600Ms = Time(30, () => { output.ResetWrittenCount(); JpegEncoder.Encode(rgbx, Width, Height, Width * 4, 85, 1600, output, out _, out _); });
        var mjpegFrame = output.WrittenSpan.ToArray();

        // MJPEG passthrough snap, end to end through the snapper (open, read, copy out) from a one-frame MJPEG stream.
        string file = Path.Combine(Path.GetTempPath(), $"clawedge-bench-{Environment.ProcessId}.mjpeg");
        File.WriteAllBytes(file, mjpegFrame);
        var replay = new ReplayCamera("bench", file, PixelFormat.Mjpeg, Width, Height);
        result.MjpegPassthroughSnapMs = Time(50, () =>
        {
            var s = CameraSnapper.Take(replay, null, 85, 1920, 0, long.MaxValue, CancellationToken.None);
            if (!s.Passthrough)
                throw new InvalidOperationException("passthrough expected");
        });
        File.Delete(file);
        JpegEncoding snapEncoding = default;
        result.YuyvSnapEncodeMs = Time(20, () =>
        {
            output.ResetWrittenCount();
            FrameJpeg.Encode(yuyvFrame(), 85, 1600, output, out _, out _, out snapEncoding);
        });
        result.YuyvSnapEncoder = snapEncoding.Name();

        // Steady-state managed allocation per captured frame: read/release loop on a free-running source.
        using (var session = new TestPatternCamera(Width, Height, 1000, PixelFormat.Yuyv).Open(new CaptureRequest()))
        {
            for (int i = 0; i < 10; i++)
            {
                using var warm = session.ReadFrame(TimeSpan.FromSeconds(1));
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            const int frames = 100;
            long checksum = 0;
            for (int i = 0; i < frames; i++)
            {
                using var lease = session.ReadFrame(TimeSpan.FromSeconds(1));
                checksum += lease.Frame.Data[^1];
            }
            result.AllocatedBytesPerFrameTestPattern = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)frames;
            GC.KeepAlive(checksum);
        }
        result.Cpu = System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "AVX2" : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";
        result.Cores = Environment.ProcessorCount;

        if (json)
            return Program.Print(JsonSerializer.Serialize(result, CameraCliJsonContext.Default.CameraBenchResult));
        Console.Out.WriteLine($"1920x1080, {result.Cores} cores, SIMD {result.Cpu}");
        Console.Out.WriteLine($"  YUYV→RGBX  SIMD {result.YuyvToRgbxMs:0.00} ms ({result.YuyvToRgbxGBps:0.00} GB/s of input), scalar {result.YuyvToRgbxScalarMs:0.00} ms");
        Console.Out.WriteLine($"  NV12→RGBX  SIMD {result.Nv12ToRgbxMs:0.00} ms");
        Console.Out.WriteLine($"  JPEG q85   cjpeg (PPM of the frame's RGB) {result.CjpegQ85Ms:0.00} ms, {result.CjpegQ85Bytes} B, PSNR {result.CjpegQ85Psnr:0.00} dB");
        Console.Out.WriteLine($"             Skia (from that RGB)           {result.SkiaJpegQ85Ms:0.00} ms, {result.SkiaJpegQ85Bytes} B, PSNR {result.SkiaJpegQ85Psnr:0.00} dB; with 1600 px resize {result.SkiaJpegQ85Resize1600Ms:0.00} ms");
        if (result.TurboJpegMissing is { } missing)
            Console.Out.WriteLine($"             TurboJPEG: {missing}");
        else
        {
            Console.Out.WriteLine($"             TurboJPEG from YUYV (4:2:2)   {result.TurboJpegQ85Ms:0.00} ms, {result.TurboJpegQ85Bytes} B, PSNR {result.TurboJpegQ85Psnr:0.00} dB = {result.TurboJpegOverCjpeg:0.00}x cjpeg; with 1600 px resize {result.TurboJpegQ85Resize1600Ms:0.00} ms; from NV12 {result.TurboJpegNv12Q85Ms:0.00} ms");
            Console.Out.WriteLine($"             TurboJPEG from YUYV (4:2:0)   {result.TurboJpeg420Q85Ms:0.00} ms, {result.TurboJpeg420Q85Bytes} B, PSNR {result.TurboJpeg420Q85Psnr:0.00} dB = {result.TurboJpeg420OverCjpeg:0.00}x cjpeg");
            Console.Out.WriteLine($"             TurboJPEG managed bytes per encode (steady state) {result.TurboJpegAllocatedBytesPerEncode:0.0}");
            Console.Out.WriteLine($"  MJPEG 1080p → I420  TurboJPEG {result.MjpegToI420TurboMs:0.00} ms, Skia + convert {result.MjpegToI420SkiaMs:0.00} ms; the two I420s agree to PSNR {result.MjpegToI420AgreementPsnr:0.00} dB");
            Console.Out.WriteLine($"  MJPEG 1080p 4:2:2 → 640 px q85  TurboJPEG on its planes {result.MjpegResize640TurboMs:0.00} ms ({result.MjpegResizeAllocatedBytesPerEncode:0.0} managed B), Skia decode + encode {result.MjpegResize640SkiaMs:0.00} ms");
        }
        Console.Out.WriteLine($"  YUYV frame → JPEG (resize 1600, q85, {result.YuyvSnapEncoder}) {result.YuyvSnapEncodeMs:0.00} ms");
        Console.Out.WriteLine($"  MJPEG passthrough snap (open, read, copy) {result.MjpegPassthroughSnapMs:0.000} ms");
        Console.Out.WriteLine($"  managed bytes allocated per captured frame (steady state) {result.AllocatedBytesPerFrameTestPattern:0.0}");
        return 0;
    }

    /// <summary>
    /// CPU milliseconds per call after a warm-up (process CPU time over the run: the work is single-threaded, and
    /// CPU time is what stays comparable with cjpeg's on a shared, loaded machine).
    /// </summary>
    private static double Time(int iterations, Action action)
    {
        for (int i = 0; i < Math.Max(2, iterations / 10); i++)
            action();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpu = self.TotalProcessorTime;
        for (int i = 0; i < iterations; i++)
            action();
        self.Refresh();
        return Math.Round((self.TotalProcessorTime - cpu).TotalMilliseconds / iterations, 3);
    }

    /// <summary>libjpeg-turbo's own cjpeg on the same pixels: CPU time of a 1080p run minus a 16x16 run (process start-up).</summary>
    private static (double Ms, byte[] Jpeg) Cjpeg(byte[] rgbx)
    {
        string? cjpeg = ExecutableResolver.Find("cjpeg");
        if (cjpeg is null)
            return (-1, []);
        string dir = Directory.CreateTempSubdirectory("clawedge-bench").FullName;
        try
        {
            string big = Path.Combine(dir, "frame.ppm"), small = Path.Combine(dir, "small.ppm");
            WritePpm(big, rgbx, Width, Height);
            WritePpm(small, rgbx, 16, 16);
            // CPU time of the children as bash's `times` reports it (the children are gone before we could read /proc).
            double Cpu(string input, out byte[] jpeg)
            {
                const int runs = 9;
                var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
                info.ArgumentList.Add("-c");
                info.ArgumentList.Add($"for i in $(seq {runs}); do '{cjpeg}' -quality 85 -outfile '{input}.jpg' '{input}'; done; times");
                using var p = Process.Start(info)!;
                string[] lines = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
                p.WaitForExit();
                jpeg = File.ReadAllBytes(input + ".jpg");
                // second line: "<user>m<s>s <sys>m<s>s" of the children
                double total = 0;
                foreach (var part in lines[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    int m = part.IndexOf('m');
                    total += double.Parse(part[..m], System.Globalization.CultureInfo.InvariantCulture) * 60_000
                        + double.Parse(part[(m + 1)..^1], System.Globalization.CultureInfo.InvariantCulture) * 1000;
                }
                return total / runs;
            }
            double full = Cpu(big, out byte[] jpeg);
            double startup = Cpu(small, out _);
            return (Math.Round(full - startup, 2), jpeg);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>PSNR in dB of a JPEG's RGB (decoded by Skia's libjpeg-turbo) against the frame's RGB.</summary>
    private static double Psnr(byte[] rgbx, ReadOnlySpan<byte> jpeg)
    {
        JpegEncoder.DecodeToRgbx(jpeg, out byte[] decoded, out int w, out int h);
        try
        {
            if (w != Width || h != Height)
                throw new InvalidOperationException($"decoded {w}x{h}");
            double sum = 0;
            for (int i = 0; i < Width * Height * 4; i++)
            {
                if ((i & 3) == 3)
                    continue;
                int d = rgbx[i] - decoded[i];
                sum += d * d;
            }
            double mse = sum / (Width * Height * 3.0);
            return Math.Round(10 * Math.Log10(255.0 * 255.0 / mse), 2);
        }
        finally
        {
            LargeArrayPool.Shared.Return(decoded);
        }
    }

    /// <summary>One 1080p MJPEG frame → I420 planes, as a clip from an MJPEG camera does it: TurboJPEG against Skia decode + convert.</summary>
    private static unsafe void MjpegToI420(byte[] jpeg, CameraBenchResult result)
    {
        var turbo = new byte[Width * Height * 3 / 2];
        var skia = new byte[Width * Height * 3 / 2];
        using var decoder = TurboJpegDecoder.TryCreate(out _)!;
        fixed (byte* t = turbo, k = skia)
        {
            nint pt = (nint)t, pk = (nint)k;
            const int chroma = Width * Height / 4;
            result.MjpegToI420TurboMs = Time(30, () => decoder.DecodeToI420(jpeg, Width, Height,
                (byte*)pt, Width, (byte*)pt + Width * Height, Width / 2, (byte*)pt + Width * Height + chroma, Width / 2));
            result.MjpegToI420SkiaMs = Time(30, () =>
            {
                JpegEncoder.DecodeToRgbx(jpeg, out byte[] pixels, out int w, out int h);
                I420Converter.Convert(new Frame(pixels.AsSpan(0, w * h * 4), w, h, w * 4, PixelFormat.Rgbx32, TimeSpan.Zero, 0), Width, Height,
                    (byte*)pk, Width, (byte*)pk + Width * Height, Width / 2, (byte*)pk + Width * Height + chroma, Width / 2);
                LargeArrayPool.Shared.Return(pixels);
            });
        }
        // The two decoders must see the same picture: PSNR of one I420 against the other.
        double sum = 0;
        for (int i = 0; i < turbo.Length; i++)
            sum += (turbo[i] - skia[i]) * (turbo[i] - skia[i]);
        result.MjpegToI420AgreementPsnr = Math.Round(10 * Math.Log10(255.0 * 255.0 / Math.Max(sum / turbo.Length, 1e-9)), 2);
    }

    /// <summary>An MJPEG camera's 1080p 4:2:2 frame snapped at maxWidth 640: TurboJPEG on its planes against Skia's decode + encode.</summary>
    private static void MjpegResize(byte[] mjpeg, CameraBenchResult result)
    {
        var resized = new ArrayBufferWriter<byte>(1 << 20);
        result.MjpegResize640TurboMs = Time(30, () => { resized.ResetWrittenCount(); TurboJpegEncoder.TryReencode(mjpeg, 85, 640, resized, out _, out _, out _); });
        result.MjpegResize640SkiaMs = Time(30, () =>
        {
            resized.ResetWrittenCount();
            JpegEncoder.DecodeToRgbx(mjpeg, out byte[] pixels, out int w, out int h);
            JpegEncoder.Encode(pixels, w, h, w * 4, 85, 640, resized, out _, out _);
            LargeArrayPool.Shared.Return(pixels);
        });
        result.MjpegResizeAllocatedBytesPerEncode = AllocatedBytesPerCall(20, () =>
        {
            resized.ResetWrittenCount();
            TurboJpegEncoder.TryReencode(mjpeg, 85, 640, resized, out _, out _, out _);
        });
    }

    // The delegate exists before the count starts, so only what the calls allocate is counted.
    private static double AllocatedBytesPerCall(int calls, Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
            action();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
    }

    private static void WritePpm(string path, byte[] rgbx, int width, int height)
    {
        using var f = File.Create(path);
        f.Write(System.Text.Encoding.ASCII.GetBytes($"P6\n{width} {height}\n255\n"));
        var row = new byte[width * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int s = (y * Width + x) * 4;
                row[x * 3] = rgbx[s];
                row[x * 3 + 1] = rgbx[s + 1];
                row[x * 3 + 2] = rgbx[s + 2];
            }
            f.Write(row);
        }
    }
}

public sealed class CameraBenchResult
{
    public string Cpu { get; set; } = "";
    public int Cores { get; set; }
    public double YuyvToRgbxMs { get; set; }
    public double YuyvToRgbxGBps { get; set; }
    public double YuyvToRgbxScalarMs { get; set; }
    public double Nv12ToRgbxMs { get; set; }
    public double SkiaJpegQ85Ms { get; set; }
    public int SkiaJpegQ85Bytes { get; set; }
    public double SkiaJpegQ85Resize1600Ms { get; set; }
    public double CjpegQ85Ms { get; set; }
    public int CjpegQ85Bytes { get; set; }
    public double CjpegQ85Psnr { get; set; }
    public double SkiaJpegQ85Psnr { get; set; }
    public string? TurboJpegMissing { get; set; }
    public double TurboJpegQ85Ms { get; set; }
    public int TurboJpegQ85Bytes { get; set; }
    public double TurboJpegQ85Psnr { get; set; }
    public double TurboJpegOverCjpeg { get; set; }
    public double TurboJpeg420Q85Ms { get; set; }
    public int TurboJpeg420Q85Bytes { get; set; }
    public double TurboJpeg420Q85Psnr { get; set; }
    public double TurboJpeg420OverCjpeg { get; set; }
    public double TurboJpegQ85Resize1600Ms { get; set; }
    public double TurboJpegNv12Q85Ms { get; set; }
    public double TurboJpegAllocatedBytesPerEncode { get; set; }
    public double MjpegToI420TurboMs { get; set; }
    public double MjpegToI420SkiaMs { get; set; }
    public double MjpegToI420AgreementPsnr { get; set; }
    public double MjpegResize640TurboMs { get; set; }
    public double MjpegResize640SkiaMs { get; set; }
    public double MjpegResizeAllocatedBytesPerEncode { get; set; }
    public string YuyvSnapEncoder { get; set; } = "";
    public double YuyvSnapEncodeMs { get; set; }
    public double MjpegPassthroughSnapMs { get; set; }
    public double AllocatedBytesPerFrameTestPattern { get; set; }
}
