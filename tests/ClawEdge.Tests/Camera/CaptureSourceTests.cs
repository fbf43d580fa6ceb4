using System.Buffers;
using System.Diagnostics;
using ClawEdge.Capture;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Pixels;
using ClawEdge.Capture.Replay;
using ClawEdge.Capture.TestPattern;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Camera;

/// <summary>Test pattern, replay, MJPEG passthrough and the JPEG encoder, checked with libjpeg-turbo's djpeg.</summary>
public class CaptureSourceTests
{
    // Leases are ref structs: read them in synchronous helpers, assert on copies.
    private sealed record Captured(PixelFormat Format, long Sequence, int Width, int Height, int Stride, TimeSpan Timestamp, byte[] Data, byte[]? Rgbx);

    private static Captured Read(CaptureSession session, bool convert = true)
    {
        using var lease = session.ReadFrame(TimeSpan.FromSeconds(2));
        var f = lease.Frame;
        byte[]? rgbx = null;
        if (convert && !f.Format.IsCompressed())
        {
            rgbx = new byte[f.Width * f.Height * 4];
            PixelConverter.ToRgbx(f.Format, f.Data, f.Width, f.Height, f.Stride, rgbx, f.Width * 4);
        }
        return new Captured(f.Format, f.Sequence, f.Width, f.Height, f.Stride, f.Timestamp, f.Data.ToArray(), rgbx);
    }

    private static (byte[] Jpeg, int Width, int Height, bool Passthrough) EncodeNext(CaptureSession session, int quality, int maxWidth)
    {
        using var lease = session.ReadFrame(TimeSpan.FromSeconds(2));
        var output = new ArrayBufferWriter<byte>();
        FrameJpeg.Encode(lease.Frame, quality, maxWidth, output, out int w, out int h, out JpegEncoding encoding);
        return (output.WrittenSpan.ToArray(), w, h, encoding == JpegEncoding.Passthrough);
    }

    private static (int R, int G, int B) Pixel(byte[] rgbx, int width, int x, int y) =>
        (rgbx[(y * width + x) * 4], rgbx[(y * width + x) * 4 + 1], rgbx[(y * width + x) * 4 + 2]);

    [Test]
    [Arguments(PixelFormat.Rgbx32, 0)]
    [Arguments(PixelFormat.Yuyv, 2)]
    public async Task Test_pattern_shows_its_bars_box_and_counter(PixelFormat format, int tolerance)
    {
        var camera = new TestPatternCamera(320, 240, 200, format);
        using var session = camera.Open(new CaptureRequest());
        var first = Read(session);
        await Assert.That(first.Format).IsEqualTo(format);
        await Assert.That(first.Sequence).IsEqualTo(0L);
        var rgbx = first.Rgbx!;
        // Bottom quarter: the eight static bars, in order.
        for (int bar = 0; bar < 8; bar++)
            await Assert.That(CameraTestFiles.Near(Pixel(rgbx, 320, bar * 40 + 20, 230), TestPatternCamera.Bars[bar], tolerance)).IsTrue();
        // The orange box starts at the left, a third of the way down.
        await Assert.That(CameraTestFiles.Near(Pixel(rgbx, 320, 10, 95), TestPatternCamera.BoxColour, tolerance + 2)).IsTrue();
        // Top-left is the counter: black background behind white segments.
        await Assert.That(Pixel(rgbx, 320, 1, 1)).IsEqualTo((0, 0, 0));

        var later = Read(session);
        await Assert.That(later.Sequence).IsEqualTo(1L);
        // The pattern moves (bars and box) but the static band does not.
        await Assert.That(rgbx.AsSpan(0, 320 * 4 * 150).SequenceEqual(later.Rgbx.AsSpan(0, 320 * 4 * 150))).IsFalse();
        await Assert.That(rgbx.AsSpan(320 * 4 * 200).SequenceEqual(later.Rgbx.AsSpan(320 * 4 * 200))).IsTrue();
    }

    [Test]
    public async Task Test_pattern_is_paced_by_the_clock_and_allocates_nothing_per_frame()
    {
        var camera = new TestPatternCamera(640, 480, 50, PixelFormat.Yuyv);
        using var session = camera.Open(new CaptureRequest());
        static (bool Monotonic, long Allocated, double ElapsedMs) Stream(CaptureSession session)
        {
            // Past the JIT's call-counting warm-up (30 calls), so tiering does not count as frame allocations.
            for (int i = 0; i < 35; i++)
            {
                using var warm = session.ReadFrame(TimeSpan.FromSeconds(1));
            }
            TimeSpan previous = TimeSpan.MinValue;
            var started = Stopwatch.GetTimestamp();
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool monotonic = true;
            for (int i = 0; i < 10; i++)
            {
                using var lease = session.ReadFrame(TimeSpan.FromSeconds(1));
                monotonic &= lease.Frame.Timestamp > previous;
                previous = lease.Frame.Timestamp;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return (monotonic, allocated, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var (monotonic, allocated, elapsedMs) = Stream(session);
        await Assert.That(monotonic).IsTrue();
        await Assert.That(allocated).IsEqualTo(0L);
        // 10 frames at 50 fps cannot arrive in less than 9 frame intervals.
        await Assert.That(elapsedMs).IsGreaterThanOrEqualTo(170);
    }

    [Test]
    public async Task Jpeg_encoder_resizes_keeps_aspect_and_djpeg_sees_the_pattern()
    {
        var camera = new TestPatternCamera(1280, 720, 100, PixelFormat.Rgbx32);
        using var session = camera.Open(new CaptureRequest());
        var frame = Read(session, convert: false);
        var output = new ArrayBufferWriter<byte>();
        int length = JpegEncoder.Encode(frame.Data, 1280, 720, 1280 * 4, 85, 640, output, out int w, out int h);
        await Assert.That((w, h)).IsEqualTo((640, 360));
        await Assert.That(length).IsEqualTo(output.WrittenCount);
        var jpeg = output.WrittenSpan.ToArray();
        // No EXIF (APP1) segment anywhere before the scan.
        int sos = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]);
        await Assert.That(jpeg.AsSpan(0, sos).IndexOf([(byte)0xFF, (byte)0xE1])).IsEqualTo(-1);

        string file = Path.Combine(Tools.TempDir("jpeg"), "pattern.jpg");
        await File.WriteAllBytesAsync(file, jpeg);
        var ppm = await CameraTestFiles.DjpegAsync(file);
        await Assert.That((ppm.Width, ppm.Height)).IsEqualTo((640, 360));
        for (int bar = 0; bar < 8; bar++)
            await Assert.That(CameraTestFiles.Near(ppm.At(bar * 80 + 40, 340), TestPatternCamera.Bars[bar])).IsTrue();
    }

    [Test]
    public async Task Mjpeg_frames_pass_through_byte_for_byte_and_replay_ends_with_end_of_stream()
    {
        // Three different JPEGs from the encoder, concatenated as an MJPEG stream.
        var camera = new TestPatternCamera(320, 240, 1000, PixelFormat.Mjpeg);
        var originals = new List<byte[]>();
        using (var session = camera.Open(new CaptureRequest()))
        {
            for (int i = 0; i < 3; i++)
            {
                var frame = Read(session);
                await Assert.That(frame.Format).IsEqualTo(PixelFormat.Mjpeg);
                originals.Add(frame.Data);
            }
        }
        string file = Path.Combine(Tools.TempDir("replay"), "three.mjpeg");
        await File.WriteAllBytesAsync(file, originals.SelectMany(b => b).ToArray());

        var replay = new ReplayCamera("replay", file, PixelFormat.Mjpeg, 320, 240);
        using var play = replay.Open(new CaptureRequest());
        for (int i = 0; i < 3; i++)
        {
            var (jpeg, w, h, passthrough) = EncodeNext(play, 50, 1600);
            await Assert.That(passthrough).IsTrue();
            await Assert.That((w, h)).IsEqualTo((320, 240));
            await Assert.That(jpeg.SequenceEqual(originals[i])).IsTrue();
        }
        var error = CaptureError.Failed;
        try
        {
            Read(play);
        }
        catch (CaptureException e)
        {
            error = e.Error;
        }
        await Assert.That(error).IsEqualTo(CaptureError.EndOfStream);
    }

    [Test]
    public async Task Mjpeg_wider_than_max_width_is_decoded_and_resized()
    {
        var camera = new TestPatternCamera(640, 480, 1000, PixelFormat.Mjpeg);
        using var session = camera.Open(new CaptureRequest());
        var (jpeg, w, h, passthrough) = EncodeNext(session, 80, 320);
        await Assert.That(passthrough).IsFalse();
        await Assert.That((w, h)).IsEqualTo((320, 240));
        await Assert.That(FrameJpeg.TryReadSize(jpeg, out int rw, out int rh)).IsTrue();
        await Assert.That((rw, rh)).IsEqualTo((320, 240));
    }

    [Test]
    public async Task Raw_replay_yields_whole_frames_only()
    {
        int frame = PixelFormat.Yuyv.FrameBytes(16, 8);
        string file = Path.Combine(Tools.TempDir("replay"), "raw.yuyv");
        var bytes = new byte[frame * 2 + frame / 2]; // two frames and a torn third
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        using var play = new ReplayCamera("r", file, PixelFormat.Yuyv, 16, 8).Open(new CaptureRequest());
        for (int i = 0; i < 2; i++)
        {
            var f = Read(play, convert: false);
            await Assert.That(f.Data.AsSpan().SequenceEqual(bytes.AsSpan(i * frame, frame))).IsTrue();
            await Assert.That(f.Stride).IsEqualTo(32);
        }
        await Assert.That(() => Read(play)).Throws<CaptureException>();
    }
}
