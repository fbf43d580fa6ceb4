using System.Buffers;
using System.Text.Json.Nodes;
using ClawEdge.Capture;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Pixels;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Camera;

/// <summary>
/// JPEG through the real libturbojpeg, read back by libjpeg-turbo's djpeg; and the shipped binary falling back to
/// Skia when the library cannot be loaded.
/// </summary>
public class TurboJpegTests
{
    private const int Width = 640, Height = 480;

    [Test]
    [Arguments(PixelFormat.Yuyv, 0, 640, 480)]
    [Arguments(PixelFormat.Yuyv, 320, 320, 240)]
    [Arguments(PixelFormat.Nv12, 0, 640, 480)]
    [Arguments(PixelFormat.Nv12, 500, 500, 375)]
    public async Task Camera_yuv_encodes_through_libturbojpeg_and_djpeg_sees_the_picture(PixelFormat format, int maxWidth, int expectedWidth, int expectedHeight)
    {
        await Assert.That(TurboJpegEncoder.IsAvailable(out string? reason)).IsTrue().Because(reason ?? "");
        var (frameBytes, stride) = SmoothFrame(format);
        var frame = new Frame(frameBytes, Width, Height, stride, format, TimeSpan.Zero, 0);
        var source = new byte[Width * Height * 4];
        PixelConverter.ToRgbx(format, frameBytes, Width, Height, stride, source, Width * 4);

        var output = new ArrayBufferWriter<byte>();
        int length = FrameJpeg.Encode(frame, 90, maxWidth, output, out int w, out int h, out JpegEncoding encoding);
        await Assert.That(encoding).IsEqualTo(JpegEncoding.TurboJpeg);
        await Assert.That((w, h)).IsEqualTo((expectedWidth, expectedHeight));
        await Assert.That(length).IsEqualTo(output.WrittenCount);

        string file = Path.Combine(Tools.TempDir("turbojpeg"), $"{format.FourCc()}-{maxWidth}.jpg");
        await File.WriteAllBytesAsync(file, output.WrittenSpan.ToArray());
        var ppm = await CameraTestFiles.DjpegAsync(file);
        await Assert.That((ppm.Width, ppm.Height)).IsEqualTo((expectedWidth, expectedHeight));
        // Against the frame's own RGB, sampled at each output pixel's centre: the content is smooth, so any fair
        // scaler lands close to it; a wrong range (washed-out greys) or swapped chroma falls far below.
        double psnr = Psnr(ppm, source);
        await Assert.That(psnr).IsGreaterThan(34.0).Because($"PSNR {psnr:0.00} dB");
    }

    [Test]
    [Arguments(PixelFormat.Yuyv, "4:2:2")]
    [Arguments(PixelFormat.Nv12, "4:2:0")]
    public async Task An_mjpeg_frame_that_must_shrink_is_reencoded_on_its_own_planes(PixelFormat cameraFormat, string layout)
    {
        // A camera's MJPEG frame in the layout UVC cameras send, made by TurboJPEG from the smooth YUV frame.
        var (frameBytes, stride) = SmoothFrame(cameraFormat);
        var source = new byte[Width * Height * 4];
        PixelConverter.ToRgbx(cameraFormat, frameBytes, Width, Height, stride, source, Width * 4);
        var mjpeg = new ArrayBufferWriter<byte>();
        FrameJpeg.Encode(new Frame(frameBytes, Width, Height, stride, cameraFormat, TimeSpan.Zero, 0), 95, 0, mjpeg, out _, out _, out var made);
        await Assert.That(made).IsEqualTo(JpegEncoding.TurboJpeg);
        byte[] camera = mjpeg.WrittenSpan.ToArray();

        var (shrunk, w, h, encoding) = EncodeMjpeg(camera, 85, 320);
        await Assert.That(encoding).IsEqualTo(JpegEncoding.TurboJpeg).Because(layout);
        await Assert.That((w, h)).IsEqualTo((320, 240));
        string file = Path.Combine(Tools.TempDir("turbojpeg-mjpeg"), $"{cameraFormat.FourCc()}.jpg");
        await File.WriteAllBytesAsync(file, shrunk);
        var ppm = await CameraTestFiles.DjpegAsync(file);
        await Assert.That((ppm.Width, ppm.Height)).IsEqualTo((320, 240));
        double psnr = Psnr(ppm, source);
        await Assert.That(psnr).IsGreaterThan(34.0).Because($"PSNR {psnr:0.00} dB");

        // Coarser at the same size (a payload that must shrink): re-encoded, not passed through.
        var (coarse, cw, ch, coarseEncoding) = EncodeMjpeg(camera, 30, 0, forceReencode: true);
        await Assert.That((coarseEncoding, cw, ch)).IsEqualTo((JpegEncoding.TurboJpeg, Width, Height));
        await Assert.That(coarse.Length).IsLessThan(camera.Length);
    }

    private static (byte[] Jpeg, int Width, int Height, JpegEncoding Encoding) EncodeMjpeg(byte[] mjpeg, int quality, int maxWidth, bool forceReencode = false)
    {
        var output = new ArrayBufferWriter<byte>();
        FrameJpeg.Encode(new Frame(mjpeg, Width, Height, 0, PixelFormat.Mjpeg, TimeSpan.Zero, 0), quality, maxWidth, output, out int w, out int h,
            out JpegEncoding encoding, forceReencode);
        return (output.WrittenSpan.ToArray(), w, h, encoding);
    }

    [Test]
    public async Task An_mjpeg_frame_in_another_layout_is_left_to_skia()
    {
        // 4:4:4 from cjpeg: not a layout cameras send, so the planes path declines it and Skia re-encodes it.
        string dir = Tools.TempDir("turbojpeg-444");
        string ppm = Path.Combine(dir, "in.ppm"), jpg = Path.Combine(dir, "in.jpg");
        var header = System.Text.Encoding.ASCII.GetBytes($"P6\n{Width} {Height}\n255\n");
        var rgb = new byte[Width * Height * 3];
        for (int i = 0; i < Width * Height; i++)
            (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = ((byte)(i % Width * 255 / Width), (byte)(i / Width * 255 / Height), 128);
        await File.WriteAllBytesAsync(ppm, [.. header, .. rgb]);
        var (code, output) = await ChildProcess.RunAsync("cjpeg", ["-sample", "1x1", "-quality", "90", "-outfile", jpg, ppm]);
        await Assert.That(code).IsEqualTo(0).Because(output);
        var (_, w, h, encoding) = EncodeMjpeg(await File.ReadAllBytesAsync(jpg), 85, 320);
        await Assert.That((encoding, w, h)).IsEqualTo((JpegEncoding.Skia, 320, 240));
    }

    [Test]
    public async Task Bad_frame_is_a_capture_error()
    {
        var output = new ArrayBufferWriter<byte>();
        var error = Assert.Throws<CaptureException>(() =>
            FrameJpeg.Encode(new Frame(new byte[1000], Width, Height, Width * 2, PixelFormat.Yuyv, TimeSpan.Zero, 0), 85, 0, output, out _, out _, out _));
        await Assert.That(error.Message).Contains("needs");
        await Assert.That(output.WrittenCount).IsEqualTo(0);
    }

    [Test]
    public async Task Binary_snaps_through_turbojpeg_and_falls_back_to_skia_without_the_library()
    {
        string dir = Tools.TempDir("turbojpeg-cli");
        async Task<(JsonNode Result, CameraTestFiles.Ppm Picture)> Snap(string name, string? library)
        {
            string file = Path.Combine(dir, name);
            var env = new Dictionary<string, string?>
            {
                ["CLAWEDGE_Camera__Enabled"] = "true",
                ["CLAWEDGE_Camera__TestPattern"] = "true",
                ["CLAWEDGE_Camera__TestPatternFormat"] = "yuyv",
                ["CLAWEDGE_TURBOJPEG_LIBRARY"] = library,
            };
            var (code, output) = await ChildProcess.RunAsync(Tools.BinX64,
                ["camera", "snap", "-o", file, "--device", "testpattern", "--width", "320", "--delay-ms", "0", "--json"], env);
            await Assert.That(code).IsEqualTo(0).Because(output);
            return (JsonNode.Parse(output[output.IndexOf('{')..])!, await CameraTestFiles.DjpegAsync(file));
        }

        var (turbo, turboPicture) = await Snap("turbo.jpg", null);
        await Assert.That((string?)turbo["encoder"]).IsEqualTo("turbojpeg");
        var (skia, skiaPicture) = await Snap("skia.jpg", Path.Combine(dir, "no-such-libturbojpeg.so.0"));
        await Assert.That((string?)skia["encoder"]).IsEqualTo("skia");
        foreach (var picture in (CameraTestFiles.Ppm[])[turboPicture, skiaPicture])
        {
            await Assert.That((picture.Width, picture.Height)).IsEqualTo(((int)turbo["width"]!, (int)turbo["height"]!));
            // The test pattern's sixth bar, well inside it, in both encoders' pictures.
            await Assert.That(CameraTestFiles.Near(picture.At(picture.Width * 5 / 8 + picture.Width / 16, picture.Height * 235 / 240),
                ClawEdge.Capture.TestPattern.TestPatternCamera.Bars[5])).IsTrue();
        }
    }

    // Gradients in luma and both chroma planes, inside BT.601 limited range as a camera delivers them.
    private static (byte[] Bytes, int Stride) SmoothFrame(PixelFormat format)
    {
        byte Luma(int x, int y) => (byte)(16 + 219 * (x + y) / (Width + Height));
        byte Cb(int x, int y) => (byte)(128 + 90 * Math.Sin(x / 60.0));
        byte Cr(int x, int y) => (byte)(128 + 90 * Math.Cos(y / 45.0));
        if (format == PixelFormat.Yuyv)
        {
            var yuyv = new byte[Width * Height * 2];
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x += 2)
                {
                    int i = (y * Width + x) * 2;
                    (yuyv[i], yuyv[i + 1], yuyv[i + 2], yuyv[i + 3]) = (Luma(x, y), Cb(x, y), Luma(x + 1, y), Cr(x, y));
                }
            return (yuyv, Width * 2);
        }
        var nv12 = new byte[Width * Height * 3 / 2];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                nv12[y * Width + x] = Luma(x, y);
        for (int y = 0; y < Height / 2; y++)
            for (int x = 0; x < Width / 2; x++)
                (nv12[Width * Height + y * Width + 2 * x], nv12[Width * Height + y * Width + 2 * x + 1]) = (Cb(2 * x, 2 * y), Cr(2 * x, 2 * y));
        return (nv12, Width);
    }

    private static double Psnr(CameraTestFiles.Ppm picture, byte[] sourceRgbx)
    {
        double sum = 0;
        for (int y = 0; y < picture.Height; y++)
            for (int x = 0; x < picture.Width; x++)
            {
                int sx = Math.Min(Width - 1, (int)((x + 0.5) * Width / picture.Width)), sy = Math.Min(Height - 1, (int)((y + 0.5) * Height / picture.Height));
                var (r, g, b) = picture.At(x, y);
                int s = (sy * Width + sx) * 4;
                sum += Square(r - sourceRgbx[s]) + Square(g - sourceRgbx[s + 1]) + Square(b - sourceRgbx[s + 2]);
            }
        return 10 * Math.Log10(255.0 * 255.0 / (sum / (picture.Width * picture.Height * 3.0)));
    }

    private static double Square(int d) => d * d;
}
