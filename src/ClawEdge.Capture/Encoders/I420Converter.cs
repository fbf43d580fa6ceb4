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
    /// Eight pixels of two rows per step in 32-bit lanes (SSE2 / NEON): the same integer formula as the scalar
    /// path, so both give identical bytes. Pixels are little-endian words: red and blue at the given shifts.
    /// </summary>
    private static void FromRgb32Vector(byte* src, int stride, int width, int height, int redShift, int blueShift,
        byte* y, int yStride, byte* u, int uStride, byte* v, int vStride)
    {
        int vectorWidth = width & ~7;
        for (int row = 0; row < height; row += 2)
        {
            byte* p0 = src + (long)row * stride;
            byte* p1 = p0 + stride;
            byte* y0 = y + (long)row * yStride;
            byte* y1 = y0 + yStride;
            byte* uRow = u + (long)(row / 2) * uStride;
            byte* vRow = v + (long)(row / 2) * vStride;
            int col = 0;
            for (; col < vectorWidth; col += 8)
            {
                Split(Vector128.Load((int*)(p0 + col * 4)), redShift, blueShift, out var r00, out var g00, out var b00);
                Split(Vector128.Load((int*)(p0 + col * 4 + 16)), redShift, blueShift, out var r01, out var g01, out var b01);
                Split(Vector128.Load((int*)(p1 + col * 4)), redShift, blueShift, out var r10, out var g10, out var b10);
                Split(Vector128.Load((int*)(p1 + col * 4 + 16)), redShift, blueShift, out var r11, out var g11, out var b11);
                *(ulong*)(y0 + col) = Bytes(Luma(r00, g00, b00), Luma(r01, g01, b01)).AsUInt64().ToScalar();
                *(ulong*)(y1 + col) = Bytes(Luma(r10, g10, b10), Luma(r11, g11, b11)).AsUInt64().ToScalar();
                var rs = PairSums(r00 + r10, r01 + r11);
                var gs = PairSums(g00 + g10, g01 + g11);
                var bs = PairSums(b00 + b10, b01 + b11);
                // Sums of four: the >> 10 folds the /4 into the coefficient shift.
                var cu = Vector128.ShiftRightArithmetic(rs * -38 + gs * -74 + bs * 112 + Vector128.Create(512), 10) + Vector128.Create(128);
                var cv = Vector128.ShiftRightArithmetic(rs * 112 + gs * -94 + bs * -18 + Vector128.Create(512), 10) + Vector128.Create(128);
                *(uint*)(uRow + (col >> 1)) = Bytes(cu, cu).AsUInt32().ToScalar();
                *(uint*)(vRow + (col >> 1)) = Bytes(cv, cv).AsUInt32().ToScalar();
            }
            if (col < width)
                FromRgb32(p0 + col * 4, stride, width - col, 2, redShift / 8, 1, blueShift / 8, y0 + col, yStride, uRow + col / 2, uStride, vRow + col / 2, vStride);
        }
    }

    private static void Split(Vector128<int> pixels, int redShift, int blueShift, out Vector128<int> r, out Vector128<int> g, out Vector128<int> b)
    {
        var mask = Vector128.Create(0xFF);
        r = Vector128.ShiftRightLogical(pixels, redShift) & mask;
        g = Vector128.ShiftRightLogical(pixels, 8) & mask;
        b = Vector128.ShiftRightLogical(pixels, blueShift) & mask;
    }

    private static Vector128<int> Luma(Vector128<int> r, Vector128<int> g, Vector128<int> b) =>
        Vector128.ShiftRightArithmetic(r * 66 + g * 129 + b * 25 + Vector128.Create(128), 8) + Vector128.Create(16);

    // Eight 0..255 values (two vectors) → bytes in the low 8 lanes.
    private static Vector128<byte> Bytes(Vector128<int> low, Vector128<int> high)
    {
        var words = Vector128.Narrow(low, high);
        return Vector128.Narrow(words.AsUInt16(), words.AsUInt16());
    }

    // Column sums of eight pixels (≤ 510 each) → four sums of neighbouring pairs: narrowed to 16 bits, each 32-bit
    // lane then holds one pair, low half + high half.
    private static Vector128<int> PairSums(Vector128<int> first, Vector128<int> second)
    {
        var pairs = Vector128.Narrow(first, second).AsInt32();
        return (pairs & Vector128.Create(0xFFFF)) + Vector128.ShiftRightLogical(pairs, 16);
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
