using System.Runtime.Intrinsics;

namespace ClawEdge.Capture.Encoders;

/// <summary>
/// Converts captured pixels to planar YUV 4:2:0 (what H.264 encoders take), BT.601 limited range, chroma
/// averaged over each 2×2 block. Width and height must be even; the output planes are caller-owned.
/// </summary>
public static unsafe class I420Converter
{
    public static bool Supports(PixelFormat format) =>
        format is PixelFormat.Bgrx32 or PixelFormat.Rgbx32 or PixelFormat.Yuyv or PixelFormat.Nv12;

    /// <summary>Converts <paramref name="frame"/>'s top-left <paramref name="width"/>×<paramref name="height"/> pixels.</summary>
    public static void Convert(in Frame frame, int width, int height, byte* y, int yStride, byte* u, int uStride, byte* v, int vStride)
    {
        if ((width | height) % 2 != 0 || width > frame.Width || height > frame.Height)
            throw new ArgumentException($"{width}x{height} from {frame.Width}x{frame.Height}");
        int stride = frame.Stride > 0 ? frame.Stride : frame.Format.FrameBytes(frame.Width, 1);
        long needed = frame.Format == PixelFormat.Nv12
            ? (long)stride * frame.Height + (long)stride * ((frame.Height + 1) / 2)
            : (long)stride * (height - 1) + frame.Format.FrameBytes(width, 1);
        if (frame.Data.Length < needed)
            throw new ArgumentException($"frame holds {frame.Data.Length} bytes, {needed} needed");
        fixed (byte* src = frame.Data)
        {
            switch (frame.Format)
            {
                case PixelFormat.Bgrx32 when Vector128.IsHardwareAccelerated:
                    FromRgb32Vector(src, stride, width, height, 16, 0, y, yStride, u, uStride, v, vStride);
                    break;
                case PixelFormat.Rgbx32 when Vector128.IsHardwareAccelerated:
                    FromRgb32Vector(src, stride, width, height, 0, 16, y, yStride, u, uStride, v, vStride);
                    break;
                case PixelFormat.Bgrx32:
                    FromRgb32(src, stride, width, height, 2, 1, 0, y, yStride, u, uStride, v, vStride);
                    break;
                case PixelFormat.Rgbx32:
                    FromRgb32(src, stride, width, height, 0, 1, 2, y, yStride, u, uStride, v, vStride);
                    break;
                case PixelFormat.Yuyv:
                    FromYuyv(src, stride, width, height, y, yStride, u, uStride, v, vStride);
                    break;
                case PixelFormat.Nv12:
                    FromNv12(src, stride, frame.Height, width, height, y, yStride, u, uStride, v, vStride);
                    break;
                default:
                    throw new NotSupportedException($"no I420 conversion from {frame.Format.FourCc()}");
            }
        }
    }

    private static void FromRgb32(byte* src, int stride, int width, int height, int r, int g, int b,
        byte* y, int yStride, byte* u, int uStride, byte* v, int vStride)
    {
        for (int row = 0; row < height; row += 2)
        {
            byte* p0 = src + (long)row * stride;
            byte* p1 = p0 + stride;
            byte* y0 = y + (long)row * yStride;
            byte* y1 = y0 + yStride;
            byte* uRow = u + (long)(row / 2) * uStride;
            byte* vRow = v + (long)(row / 2) * vStride;
            for (int col = 0; col < width; col += 2)
            {
                int r00 = p0[r], g00 = p0[g], b00 = p0[b];
                int r01 = p0[4 + r], g01 = p0[4 + g], b01 = p0[4 + b];
                int r10 = p1[r], g10 = p1[g], b10 = p1[b];
                int r11 = p1[4 + r], g11 = p1[4 + g], b11 = p1[4 + b];
                y0[0] = Luma(r00, g00, b00);
                y0[1] = Luma(r01, g01, b01);
                y1[0] = Luma(r10, g10, b10);
                y1[1] = Luma(r11, g11, b11);
                int rs = r00 + r01 + r10 + r11, gs = g00 + g01 + g10 + g11, bs = b00 + b01 + b10 + b11;
                // Sums of four: the >> 10 folds the /4 into the coefficient shift.
                uRow[col >> 1] = (byte)(((-38 * rs - 74 * gs + 112 * bs + 512) >> 10) + 128);
                vRow[col >> 1] = (byte)(((112 * rs - 94 * gs - 18 * bs + 512) >> 10) + 128);
                p0 += 8;
                p1 += 8;
                y0 += 2;
                y1 += 2;
            }
        }
    }

    /// <summary>
    /// Four pixels of two rows per step in 32-bit lanes (SSE2 / NEON): the same integer formula as the scalar
    /// path, so both give identical bytes. Pixels are little-endian words: red and blue at the given shifts.
    /// </summary>
    private static void FromRgb32Vector(byte* src, int stride, int width, int height, int redShift, int blueShift,
        byte* y, int yStride, byte* u, int uStride, byte* v, int vStride)
    {
        var mask = Vector128.Create(0xFF);
        int vectorWidth = width & ~3;
        for (int row = 0; row < height; row += 2)
        {
            byte* p0 = src + (long)row * stride;
            byte* p1 = p0 + stride;
            byte* y0 = y + (long)row * yStride;
            byte* y1 = y0 + yStride;
            byte* uRow = u + (long)(row / 2) * uStride;
            byte* vRow = v + (long)(row / 2) * vStride;
            int col = 0;
            for (; col < vectorWidth; col += 4)
            {
                var a = Vector128.Load((int*)(p0 + col * 4));
                var b = Vector128.Load((int*)(p1 + col * 4));
                var ra = Vector128.ShiftRightLogical(a, redShift) & mask;
                var ga = Vector128.ShiftRightLogical(a, 8) & mask;
                var ba = Vector128.ShiftRightLogical(a, blueShift) & mask;
                var rb = Vector128.ShiftRightLogical(b, redShift) & mask;
                var gb = Vector128.ShiftRightLogical(b, 8) & mask;
                var bb = Vector128.ShiftRightLogical(b, blueShift) & mask;
                StoreLuma(y0 + col, ra, ga, ba);
                StoreLuma(y1 + col, rb, gb, bb);
                // Column sums of the two rows, then each pair of neighbours: lanes 0 and 2 hold the 2×2 sums.
                var rs = ra + rb;
                var gs = ga + gb;
                var bs = ba + bb;
                rs += Vector128.Shuffle(rs, Vector128.Create(1, 0, 3, 2));
                gs += Vector128.Shuffle(gs, Vector128.Create(1, 0, 3, 2));
                bs += Vector128.Shuffle(bs, Vector128.Create(1, 0, 3, 2));
                var cu = Vector128.ShiftRightArithmetic(rs * -38 + gs * -74 + bs * 112 + Vector128.Create(512), 10) + Vector128.Create(128);
                var cv = Vector128.ShiftRightArithmetic(rs * 112 + gs * -94 + bs * -18 + Vector128.Create(512), 10) + Vector128.Create(128);
                uRow[col >> 1] = (byte)cu.GetElement(0);
                uRow[(col >> 1) + 1] = (byte)cu.GetElement(2);
                vRow[col >> 1] = (byte)cv.GetElement(0);
                vRow[(col >> 1) + 1] = (byte)cv.GetElement(2);
            }
            if (col < width)
            {
                int r = redShift / 8, bl = blueShift / 8;
                FromRgb32(p0 + col * 4, stride, width - col, 2, r, 1, bl, y0 + col, yStride, uRow + col / 2, uStride, vRow + col / 2, vStride);
            }
        }
    }

    private static void StoreLuma(byte* destination, Vector128<int> r, Vector128<int> g, Vector128<int> b)
    {
        var luma = Vector128.ShiftRightArithmetic(r * 66 + g * 129 + b * 25 + Vector128.Create(128), 8) + Vector128.Create(16);
        var words = Vector128.Narrow(luma, luma);
        *(uint*)destination = Vector128.Narrow(words, words).AsUInt32().ToScalar();
    }

    private static byte Luma(int r, int g, int b) => (byte)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);

    private static void FromYuyv(byte* src, int stride, int width, int height,
        byte* y, int yStride, byte* u, int uStride, byte* v, int vStride)
    {
        for (int row = 0; row < height; row += 2)
        {
            byte* p0 = src + (long)row * stride;
            byte* p1 = p0 + stride;
            byte* y0 = y + (long)row * yStride;
            byte* y1 = y0 + yStride;
            byte* uRow = u + (long)(row / 2) * uStride;
            byte* vRow = v + (long)(row / 2) * vStride;
            for (int col = 0; col < width; col += 2)
            {
                y0[col] = p0[0];
                y0[col + 1] = p0[2];
                y1[col] = p1[0];
                y1[col + 1] = p1[2];
                uRow[col >> 1] = (byte)((p0[1] + p1[1] + 1) >> 1);
                vRow[col >> 1] = (byte)((p0[3] + p1[3] + 1) >> 1);
                p0 += 4;
                p1 += 4;
            }
        }
    }

    private static void FromNv12(byte* src, int stride, int frameHeight, int width, int height,
        byte* y, int yStride, byte* u, int uStride, byte* v, int vStride)
    {
        byte* uv = src + (long)stride * frameHeight;
        for (int row = 0; row < height; row++)
            new ReadOnlySpan<byte>(src + (long)row * stride, width).CopyTo(new Span<byte>(y + (long)row * yStride, width));
        for (int row = 0; row < height / 2; row++)
        {
            byte* p = uv + (long)row * stride;
            byte* uRow = u + (long)row * uStride;
            byte* vRow = v + (long)row * vStride;
            for (int col = 0; col < width / 2; col++)
            {
                uRow[col] = p[2 * col];
                vRow[col] = p[2 * col + 1];
            }
        }
    }
}
