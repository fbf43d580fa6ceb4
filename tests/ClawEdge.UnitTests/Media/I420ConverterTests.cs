using ClawEdge.Capture;
using ClawEdge.Capture.Encoders;

namespace ClawEdge.Tests.Media;

public class I420ConverterTests
{
    // BT.601 limited range, chroma from the 2×2 sum: the formula the encoder input must follow.
    private static (byte[] Y, byte[] U, byte[] V) Reference(byte[] rgbx, int width, int height, bool bgr)
    {
        var y = new byte[width * height];
        var u = new byte[width * height / 4];
        var v = new byte[width * height / 4];
        (int R, int G, int B) Px(int x, int row)
        {
            int at = (row * width + x) * 4;
            return bgr ? (rgbx[at + 2], rgbx[at + 1], rgbx[at]) : (rgbx[at], rgbx[at + 1], rgbx[at + 2]);
        }
        for (int row = 0; row < height; row++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = Px(x, row);
                y[row * width + x] = (byte)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
            }
        for (int row = 0; row < height; row += 2)
            for (int x = 0; x < width; x += 2)
            {
                int rs = 0, gs = 0, bs = 0;
                foreach (var (dx, dy) in new[] { (0, 0), (1, 0), (0, 1), (1, 1) })
                {
                    var (r, g, b) = Px(x + dx, row + dy);
                    rs += r; gs += g; bs += b;
                }
                u[row / 2 * (width / 2) + x / 2] = (byte)(((-38 * rs - 74 * gs + 112 * bs + 512) >> 10) + 128);
                v[row / 2 * (width / 2) + x / 2] = (byte)(((112 * rs - 94 * gs - 18 * bs + 512) >> 10) + 128);
            }
        return (y, u, v);
    }

    [Test]
    [Arguments(PixelFormat.Bgrx32, 38, false)] // 38 = 2 picked steps of 16 + 6 scalar columns
    [Arguments(PixelFormat.Rgbx32, 38, false)]
    [Arguments(PixelFormat.Bgrx32, 26, false)] // 16 picked + 8 in 32-bit lanes + 2 scalar
    [Arguments(PixelFormat.Rgbx32, 26, false)]
    [Arguments(PixelFormat.Bgrx32, 38, true)]  // the 32-bit-lane path alone: 4 steps of 8 + 6 scalar
    [Arguments(PixelFormat.Rgbx32, 38, true)]
    [NotInParallel(nameof(I420Converter.DisablePicking))]
    public async Task Vector_paths_match_the_formula_including_a_ragged_edge(PixelFormat format, int width, bool noPicking)
    {
        const int height = 6;
        var pixels = new byte[width * height * 4];
        new Random(7).NextBytes(pixels);
        // The extremes too: white, black, pure red and blue (where 16-bit luma would overflow if it could).
        foreach (var (at, value) in new[] { (0, 0xFF), (1, 0x00), (2, 0x7F) })
            pixels.AsSpan(at * 64, 64).Fill((byte)value);
        var (ey, eu, ev) = Reference(pixels, width, height, format == PixelFormat.Bgrx32);
        var y = new byte[ey.Length];
        var u = new byte[eu.Length];
        var v = new byte[ev.Length];
        I420Converter.DisablePicking = noPicking;
        try
        {
            unsafe
            {
                fixed (byte* py = y, pu = u, pv = v)
                    I420Converter.Convert(new Frame(pixels, width, height, width * 4, format, TimeSpan.Zero, 0), width, height, py, width, pu, width / 2, pv, width / 2);
            }
        }
        finally
        {
            I420Converter.DisablePicking = false;
        }
        await Assert.That(Convert.ToHexString(y)).IsEqualTo(Convert.ToHexString(ey));
        await Assert.That(Convert.ToHexString(u)).IsEqualTo(Convert.ToHexString(eu));
        await Assert.That(Convert.ToHexString(v)).IsEqualTo(Convert.ToHexString(ev));
    }

    [Test]
    public async Task This_machine_takes_the_byte_picking_path() =>
        await Assert.That(I420Converter.BytePicking).IsTrue().Because("SSSE3 is in the x86-64-v2 baseline; NEON on every arm64");
}
