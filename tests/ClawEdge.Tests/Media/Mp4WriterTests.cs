using System.Buffers;
using ClawEdge.Capture;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Mp4;
using SkiaSharp;

namespace ClawEdge.Tests.Media;

/// <summary>Files from our MP4 writer, judged by ffprobe and decoded by ffmpeg.</summary>
public class Mp4WriterTests
{
    // Deliberately irregular capture times (ms): durations must follow them, not an assumed rate.
    private static readonly int[] StampsMs = [0, 100, 250, 300, 420, 500, 650, 700, 900, 1000, 1100, 1330];
    private const int EndMs = 1500;

    private static byte[] Solid(int width, int height, byte r, byte g, byte b, PixelFormat format)
    {
        var data = new byte[width * height * 4];
        for (int i = 0; i < data.Length; i += 4)
        {
            data[i] = format == PixelFormat.Bgrx32 ? b : r;
            data[i + 1] = g;
            data[i + 2] = format == PixelFormat.Bgrx32 ? r : b;
        }
        return data;
    }

    private static async Task<string> SaveAsync(Mp4Writer writer)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ce-mp4-{Guid.NewGuid():N}.mp4");
        var bytes = new byte[writer.Length];
        writer.CopyTo(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        // The chunks the frame writer reads must be the very same bytes.
        if (!writer.AsSequence().ToArray().AsSpan().SequenceEqual(bytes))
            throw new InvalidOperationException("the file's sequence differs from the file");
        return path;
    }

    [Test]
    public async Task H264_from_libx264_has_real_timing_and_decodes()
    {
        const int w = 322, h = 242; // even crop expected: 322x242 stays, odd would be cropped
        var pixels = Solid(w, h, 200, 30, 40, PixelFormat.Bgrx32);
        using var encoder = X264Encoder.TryCreate(w, h, 10, out string? reason);
        await Assert.That(reason).IsNull();
        using var writer = new Mp4Writer(VideoCodec.H264, encoder!.Width, encoder.Height, 100, 10 << 20);
        foreach (int ms in StampsMs)
        {
            var frame = new Frame(pixels, w, h, w * 4, PixelFormat.Bgrx32, TimeSpan.FromMilliseconds(1000 + ms), 0);
            await Assert.That(encoder.Encode(frame, writer)).IsEqualTo(SampleOutcome.Added);
        }
        writer.Finish(TimeSpan.FromMilliseconds(1000 + EndMs));
        string path = await SaveAsync(writer);
        try
        {
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Codec).IsEqualTo("h264");
            await Assert.That(probe.Frames).IsEqualTo(StampsMs.Length);
            await Assert.That(probe.Width).IsEqualTo(322);
            await Assert.That(probe.Duration).IsEqualTo(EndMs / 1000.0).Within(0.002);
            for (int i = 0; i < StampsMs.Length; i++)
            {
                int next = i + 1 < StampsMs.Length ? StampsMs[i + 1] : EndMs;
                await Assert.That(probe.PacketDurations[i]).IsEqualTo((next - StampsMs[i]) / 1000.0).Within(0.0001);
            }
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
            var (r, g, b) = await MediaProbe.PixelAsync(path, 0.5, 100, 100);
            await Assert.That(r).IsBetween(185, 215);
            await Assert.That(g).IsBetween(15, 45);
            await Assert.That(b).IsBetween(25, 55);
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("CE_KEEP_MEDIA") is null) File.Delete(path);
        }
    }

    [Test]
    public async Task Camera_h264_passes_through_untouched()
    {
        const int w = 160, h = 120;
        // Annex-B access units as a camera would deliver them: made by x264 into a side file first.
        var units = new List<byte[]>();
        using (var x264 = X264Encoder.TryCreate(w, h, 10, out _)!)
        using (var scratch = new Mp4Writer(VideoCodec.H264, w, h, 100, 1 << 20))
        {
            var pixels = Solid(w, h, 10, 10, 200, PixelFormat.Rgbx32);
            for (int i = 0; i < 5; i++)
                x264.Encode(new Frame(pixels, w, h, w * 4, PixelFormat.Rgbx32, TimeSpan.FromMilliseconds(i * 100), i), scratch);
            scratch.Finish(TimeSpan.FromMilliseconds(500));
            var file = new byte[scratch.Length];
            scratch.CopyTo(file);
            string raw = Path.Combine(Path.GetTempPath(), $"ce-h264-{Guid.NewGuid():N}");
            await File.WriteAllBytesAsync(raw + ".mp4", file);
            var (code, output) = await Interop.ChildProcess.RunAsync("ffmpeg", ["-v", "error", "-i", raw + ".mp4", "-c", "copy", "-bsf:v", "h264_mp4toannexb", "-f", "h264", raw + ".h264"]);
            await Assert.That(code).IsEqualTo(0).Because(output);
            var stream = await File.ReadAllBytesAsync(raw + ".h264");
            File.Delete(raw + ".mp4");
            File.Delete(raw + ".h264");
            // An access unit starts at an SPS (key frames) or at a P slice whose first_mb_in_slice is 0 (ue(v) 0 = bit 1).
            var starts = new List<int>();
            for (int i = 0; i + 4 < stream.Length; i++)
                if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 &&
                    ((stream[i + 3] & 0x1F) == 7 || ((stream[i + 3] & 0x1F) == 1 && (stream[i + 4] & 0x80) != 0)))
                    starts.Add(i > 0 && stream[i - 1] == 0 ? i - 1 : i);
            starts.Add(stream.Length);
            for (int i = 0; i + 1 < starts.Count; i++)
                units.Add(stream[starts[i]..starts[i + 1]]);
        }
        await Assert.That(units.Count).IsEqualTo(5);

        using var passthrough = new H264Passthrough(w, h);
        using var writer = new Mp4Writer(VideoCodec.H264, w, h, 100, 1 << 20);
        for (int i = 0; i < units.Count; i++)
            await Assert.That(passthrough.Encode(new Frame(units[i], w, h, 0, PixelFormat.H264, TimeSpan.FromMilliseconds(40 + i * 200), i), writer)).IsEqualTo(SampleOutcome.Added);
        writer.Finish(TimeSpan.FromMilliseconds(40 + 1000));
        string path = await SaveAsync(writer);
        try
        {
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Codec).IsEqualTo("h264");
            await Assert.That(probe.Frames).IsEqualTo(5);
            await Assert.That(probe.Duration).IsEqualTo(1.0).Within(0.002);
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
            var (r, g, b) = await MediaProbe.PixelAsync(path, 0.5, 80, 60);
            await Assert.That(b).IsGreaterThan(170);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Mjpeg_camera_frames_become_h264()
    {
        const int w = 160, h = 120;
        using var bitmap = new SKBitmap(w, h);
        bitmap.Erase(new SKColor(230, 200, 20));
        using var jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        using var encoder = X264Encoder.TryCreate(w, h, 10, out _)!;
        using var writer = new Mp4Writer(VideoCodec.H264, w, h, 100, 1 << 20);
        for (int i = 0; i < 4; i++)
            await Assert.That(encoder.Encode(new Frame(jpeg.AsSpan(), w, h, 0, PixelFormat.Mjpeg, TimeSpan.FromMilliseconds(i * 100), i), writer)).IsEqualTo(SampleOutcome.Added);
        writer.Finish(TimeSpan.FromMilliseconds(400));
        string path = await SaveAsync(writer);
        try
        {
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Codec).IsEqualTo("h264");
            await Assert.That(probe.Frames).IsEqualTo(4);
            var (r, g, b) = await MediaProbe.PixelAsync(path, 0.1, 80, 60);
            await Assert.That(r).IsGreaterThan(200);
            await Assert.That(b).IsLessThan(60);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Mjpeg_samples_make_an_mp4v_jpeg_track_ffmpeg_decodes()
    {
        const int w = 160, h = 120;
        using var bitmap = new SKBitmap(w, h);
        bitmap.Erase(new SKColor(20, 180, 60));
        using var jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        using var writer = new Mp4Writer(VideoCodec.Mjpeg, w, h, 100, 10 << 20);
        foreach (int ms in StampsMs)
        {
            var sink = writer.BeginSample();
            sink.Write(jpeg.AsSpan());
            await Assert.That(writer.EndSample(TimeSpan.FromMilliseconds(ms))).IsEqualTo(SampleOutcome.Added);
        }
        writer.Finish(TimeSpan.FromMilliseconds(EndMs));
        string path = await SaveAsync(writer);
        try
        {
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Codec).IsEqualTo("mjpeg");
            await Assert.That(probe.Frames).IsEqualTo(StampsMs.Length);
            await Assert.That(probe.Duration).IsEqualTo(EndMs / 1000.0).Within(0.002);
            await Assert.That(probe.PacketDurations[2]).IsEqualTo(0.05).Within(0.0001);
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
            var (r, g, b) = await MediaProbe.PixelAsync(path, 0.2, 80, 60);
            await Assert.That(g).IsBetween(165, 195);
            await Assert.That(r).IsLessThan(40);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task H264_before_the_first_idr_is_dropped_and_a_full_buffer_says_so()
    {
        using var writer = new Mp4Writer(VideoCodec.H264, 64, 64, 2, 1 << 20);
        // A P-slice (type 1) with no parameter sets yet: undecodable, dropped.
        await Assert.That(writer.AddAnnexB([0, 0, 0, 1, 0x41, 0x9A, 0x00, 0x10], TimeSpan.Zero)).IsEqualTo(SampleOutcome.Dropped);
        await Assert.That(writer.SampleCount).IsEqualTo(0);
        byte[] idr = [0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1E, 0xDA, 0, 0, 1, 0x68, 0xCE, 0x3C, 0x80, 0, 0, 1, 0x65, 0x88, 0x84, 0x00];
        await Assert.That(writer.AddAnnexB(idr, TimeSpan.FromMilliseconds(1))).IsEqualTo(SampleOutcome.Added);
        await Assert.That(writer.MediaBytes).IsEqualTo(4 + 3L); // SPS/PPS go to avcC; the IDR gets a 4-byte length, loses its trailing zero
        await Assert.That(writer.AddAnnexB(idr, TimeSpan.FromMilliseconds(2))).IsEqualTo(SampleOutcome.Added);
        await Assert.That(() => writer.AddAnnexB(idr, TimeSpan.FromMilliseconds(3))).Throws<BufferFullException>();
    }
}
