using ClawEdge.Capture;
using ClawEdge.Capture.Pixels;

namespace ClawEdge.Tests.Camera;

/// <summary>The SIMD conversions are bit-exact against the scalar reference on random frames of awkward sizes.</summary>
public class PixelConverterTests
{
    public static IEnumerable<(PixelFormat, int, int, int)> Cases()
    {
        int[][] sizes = [[1, 1], [2, 2], [7, 3], [8, 1], [9, 5], [15, 7], [16, 16], [33, 17], [63, 9], [640, 3], [1921, 3]];
        foreach (var format in (PixelFormat[])[PixelFormat.Yuyv, PixelFormat.Uyvy, PixelFormat.Nv12, PixelFormat.Rgb24, PixelFormat.Bgr24])
            foreach (var s in sizes)
                foreach (int pad in (int[])[0, 5])
                    yield return (format, s[0], s[1], pad);
    }

    [Test]
    [MethodDataSource(nameof(Cases))]
    public async Task Simd_equals_scalar_reference(PixelFormat format, int width, int height, int padding)
    {
        int rowBytes = format switch
        {
            PixelFormat.Yuyv or PixelFormat.Uyvy => (width + 1) / 2 * 4,
            PixelFormat.Nv12 => width,
            _ => width * 3,
        };
        int stride = rowBytes + padding;
        int size = format == PixelFormat.Nv12 ? stride * height + PixelConverter.Nv12ChromaStride(stride) * ((height + 1) / 2) : stride * height;
        var src = new byte[size];
        new Random(width * 1000 + height * 10 + padding).NextBytes(src);
        int dstStride = width * 4 + 3 * padding;
        var simd = new byte[dstStride * height];
        var scalar = new byte[dstStride * height];

        PixelConverter.ToRgbx(format, src, width, height, stride, simd, dstStride);
        switch (format)
        {
            case PixelFormat.Yuyv: ScalarPixelConverter.Packed422(src, width, height, stride, scalar, dstStride, yFirst: true); break;
            case PixelFormat.Uyvy: ScalarPixelConverter.Packed422(src, width, height, stride, scalar, dstStride, yFirst: false); break;
            case PixelFormat.Nv12: ScalarPixelConverter.Nv12(src, width, height, stride, scalar, dstStride); break;
            case PixelFormat.Rgb24: ScalarPixelConverter.Rgb24(src, width, height, stride, scalar, dstStride, bgr: false); break;
            case PixelFormat.Bgr24: ScalarPixelConverter.Rgb24(src, width, height, stride, scalar, dstStride, bgr: true); break;
        }
        int firstDiff = simd.AsSpan().CommonPrefixLength(scalar);
        await Assert.That(firstDiff).IsEqualTo(simd.Length);
    }

    [Test]
    public async Task Reference_maps_bt601_limited_range_extremes()
    {
        // Y=235 with neutral chroma is white, Y=16 black; pure red in BT.601 limited range is (81, 90, 240).
        await Assert.That(ScalarPixelConverter.YuvToRgbx(235, 128, 128)).IsEqualTo(0xFFFFFFFFu);
        await Assert.That(ScalarPixelConverter.YuvToRgbx(16, 128, 128)).IsEqualTo(0xFF000000u);
        uint red = ScalarPixelConverter.YuvToRgbx(81, 90, 240);
        await Assert.That(red & 0xFF).IsGreaterThanOrEqualTo(250u);
        await Assert.That((red >> 8) & 0xFF).IsLessThanOrEqualTo(3u);
        await Assert.That((red >> 16) & 0xFF).IsLessThanOrEqualTo(3u);
    }

    [Test]
    public async Task Rgb24_and_bgr24_keep_channel_order()
    {
        byte[] rgb = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180];
        var dst = new byte[6 * 4];
        PixelConverter.ToRgbx(PixelFormat.Rgb24, rgb, 6, 1, 18, dst, 24);
        await Assert.That(dst[..8].SequenceEqual(new byte[] { 10, 20, 30, 255, 40, 50, 60, 255 })).IsTrue();
        PixelConverter.ToRgbx(PixelFormat.Bgr24, rgb, 6, 1, 18, dst, 24);
        await Assert.That(dst[20..].SequenceEqual(new byte[] { 180, 170, 160, 255 })).IsTrue();
    }

    [Test]
    public async Task Short_source_is_an_error_not_a_read_past_the_end()
    {
        await Assert.That(() => PixelConverter.ToRgbx(PixelFormat.Yuyv, new byte[100], 64, 64, 128, new byte[64 * 64 * 4], 256)).Throws<CaptureException>();
    }
}
