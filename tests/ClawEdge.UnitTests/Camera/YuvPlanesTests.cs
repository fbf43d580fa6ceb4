using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Pixels;

namespace ClawEdge.Tests.Camera;

/// <summary>
/// The planes TurboJPEG is fed: YUYV → 4:2:2 (or 4:2:0), NV12 → 4:2:0, range-stretched, SIMD against a
/// one-sample-at-a-time reference on random frames of awkward sizes; and the plane scaler.
/// </summary>
public class YuvPlanesTests
{
    public static IEnumerable<(int, int, int)> Sizes()
    {
        int[][] sizes = [[1, 1], [2, 2], [7, 3], [16, 1], [17, 5], [31, 7], [32, 16], [65, 9], [1921, 3]];
        foreach (var s in sizes)
            foreach (int pad in (int[])[0, 6])
                yield return (s[0], s[1], pad);
    }

    [Test]
    public async Task Range_stretch_maps_bt601_limited_onto_full_range()
    {
        await Assert.That((YuvPlanes.FullRangeLuma(16), YuvPlanes.FullRangeLuma(235))).IsEqualTo(((byte)0, (byte)255));
        await Assert.That((YuvPlanes.FullRangeLuma(0), YuvPlanes.FullRangeLuma(255))).IsEqualTo(((byte)0, (byte)255));
        await Assert.That((YuvPlanes.FullRangeChroma(16), YuvPlanes.FullRangeChroma(128), YuvPlanes.FullRangeChroma(240))).IsEqualTo(((byte)0, (byte)128, (byte)255));
        for (int v = 0; v < 256; v++)
        {
            double luma = Math.Clamp((v - 16) * 255.0 / 219, 0, 255), chroma = Math.Clamp((v - 128) * 255.0 / 224 + 128, 0, 255);
            await Assert.That(Math.Abs(YuvPlanes.FullRangeLuma(v) - luma)).IsLessThanOrEqualTo(1.0);
            await Assert.That(Math.Abs(YuvPlanes.FullRangeChroma(v) - chroma)).IsLessThanOrEqualTo(1.0);
        }
    }

    [Test]
    [MethodDataSource(nameof(Sizes))]
    public async Task Yuyv_becomes_422_planes(int width, int height, int padding)
    {
        int cw = (width + 1) / 2, stride = cw * 4 + padding;
        var src = Noise(stride * height, width, height, padding);
        var (y, u, v) = (new byte[width * height], new byte[cw * height], new byte[cw * height]);
        YuvPlanes.FromYuyv(src, width, height, stride, y, width, u, v, cw);

        var (ry, ru, rv) = (new byte[y.Length], new byte[u.Length], new byte[v.Length]);
        for (int row = 0; row < height; row++)
        {
            for (int x = 0; x < width; x++)
                ry[row * width + x] = YuvPlanes.FullRangeLuma(src[row * stride + x * 2]);
            for (int c = 0; c < cw; c++)
            {
                ru[row * cw + c] = YuvPlanes.FullRangeChroma(src[row * stride + c * 4 + 1]);
                rv[row * cw + c] = YuvPlanes.FullRangeChroma(src[row * stride + c * 4 + 3]);
            }
        }
        await Assert.That(y.AsSpan().CommonPrefixLength(ry)).IsEqualTo(y.Length);
        await Assert.That(u.AsSpan().CommonPrefixLength(ru)).IsEqualTo(u.Length);
        await Assert.That(v.AsSpan().CommonPrefixLength(rv)).IsEqualTo(v.Length);
    }

    [Test]
    [MethodDataSource(nameof(Sizes))]
    public async Task Yuyv_becomes_420_planes_with_row_pairs_averaged(int width, int height, int padding)
    {
        int cw = (width + 1) / 2, ch = (height + 1) / 2, stride = cw * 4 + padding;
        var src = Noise(stride * height, width, height, padding);
        var (y, u, v) = (new byte[width * height], new byte[cw * ch], new byte[cw * ch]);
        YuvPlanes.FromYuyv(src, width, height, stride, y, width, u, v, cw, halveChroma: true);

        for (int row = 0; row < ch; row++)
        {
            int r0 = row * 2, r1 = Math.Min(row * 2 + 1, height - 1);
            for (int c = 0; c < cw; c++)
            {
                byte eu = YuvPlanes.FullRangeChroma((src[r0 * stride + c * 4 + 1] + src[r1 * stride + c * 4 + 1] + 1) / 2);
                byte ev = YuvPlanes.FullRangeChroma((src[r0 * stride + c * 4 + 3] + src[r1 * stride + c * 4 + 3] + 1) / 2);
                if (u[row * cw + c] != eu || v[row * cw + c] != ev)
                    Assert.Fail($"chroma ({c},{row}) is ({u[row * cw + c]},{v[row * cw + c]}), expected ({eu},{ev})");
            }
        }
        await Assert.That(y[^1]).IsEqualTo(YuvPlanes.FullRangeLuma(src[(height - 1) * stride + (width - 1) * 2]));
    }

    [Test]
    [MethodDataSource(nameof(Sizes))]
    public async Task Nv12_becomes_420_planes(int width, int height, int padding)
    {
        int cw = (width + 1) / 2, ch = (height + 1) / 2;
        int stride = width + padding, uvStride = PixelConverter.Nv12ChromaStride(stride);
        var src = Noise(stride * height + uvStride * ch, width, height, padding);
        var (y, u, v) = (new byte[width * height], new byte[cw * ch], new byte[cw * ch]);
        YuvPlanes.FromNv12(src, width, height, stride, y, width, u, v, cw);

        for (int row = 0; row < height; row++)
            for (int x = 0; x < width; x++)
                if (y[row * width + x] != YuvPlanes.FullRangeLuma(src[row * stride + x]))
                    Assert.Fail($"luma ({x},{row})");
        for (int row = 0; row < ch; row++)
            for (int c = 0; c < cw; c++)
            {
                int at = stride * height + row * uvStride + c * 2;
                if (u[row * cw + c] != YuvPlanes.FullRangeChroma(src[at]) || v[row * cw + c] != YuvPlanes.FullRangeChroma(src[at + 1]))
                    Assert.Fail($"chroma ({c},{row})");
            }
        await Assert.That(u.Length).IsEqualTo(cw * ch);
    }

    [Test]
    public async Task Short_frame_is_a_capture_error_not_a_crash()
    {
        var error = Assert.Throws<ClawEdge.Capture.CaptureException>(() =>
            YuvPlanes.FromYuyv(new byte[100], 64, 48, 128, new byte[64 * 48], 64, new byte[32 * 48], new byte[32 * 48], 32));
        await Assert.That(error.Message).Contains("needs");
    }

    [Test]
    public async Task Halving_is_the_2x2_average()
    {
        const int w = 37, h = 23;
        var src = Noise((w * 2) * (h * 2) + 5, w * 2, h * 2, 0);
        var dst = new byte[w * h];
        YuvPlanes.Resize(src, w * 2, h * 2, w * 2, dst, w, h, w);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int s = y * 2 * w * 2 + x * 2;
                int mean = (src[s] + src[s + 1] + src[s + w * 2] + src[s + w * 2 + 1] + 2) / 4;
                if (dst[y * w + x] != mean)
                    Assert.Fail($"({x},{y}) is {dst[y * w + x]}, the 2x2 mean is {mean}");
            }
        await Assert.That(dst.Length).IsEqualTo(w * h);
    }

    [Test]
    [Arguments(1920, 1600)]
    [Arguments(960, 800)]
    [Arguments(1000, 999)]
    [Arguments(300, 301)]
    public async Task Bilinear_follows_a_ramp_at_the_mapped_positions(int from, int to)
    {
        // A horizontal ramp: every output sample is the source interpolated at its mapped position, ±1 (8-bit weights).
        const int rows = 4;
        var src = new byte[from * rows];
        for (int r = 0; r < rows; r++)
            for (int x = 0; x < from; x++)
                src[r * from + x] = (byte)Math.Min(255, x * 255 / (from - 1));
        var dst = new byte[to * rows];
        YuvPlanes.Resize(src, from, rows, from, dst, to, rows, to);
        for (int x = 0; x < to; x++)
        {
            double position = Math.Clamp((x + 0.5) * from / to - 0.5, 0, from - 1);
            int i0 = (int)position, i1 = Math.Min(i0 + 1, from - 1);
            double expected = src[i0] + (src[i1] - src[i0]) * (position - i0);
            if (Math.Abs(dst[x] - expected) > 1.01 || dst[3 * to + x] != dst[x])
                Assert.Fail($"x={x}: {dst[x]}, expected {expected:0.0}");
        }
        await Assert.That(dst[0]).IsLessThanOrEqualTo((byte)1);
    }

    [Test]
    public async Task Big_step_down_averages_fine_detail_instead_of_aliasing()
    {
        // One-pixel checkerboard 1920x1080 → 320x180: every output sample is the average grey, not a sampled 0 or 255.
        const int w = 1920, h = 1080;
        var src = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                src[y * w + x] = (byte)(((x + y) & 1) * 255);
        var dst = new byte[320 * 180];
        YuvPlanes.Resize(src, w, h, w, dst, 320, 180, 320);
        await Assert.That(dst.Min()).IsGreaterThanOrEqualTo((byte)126);
        await Assert.That(dst.Max()).IsLessThanOrEqualTo((byte)129);
    }

    private static byte[] Noise(int length, int width, int height, int padding)
    {
        var bytes = new byte[length];
        new Random(width * 1000 + height * 10 + padding).NextBytes(bytes);
        return bytes;
    }
}
