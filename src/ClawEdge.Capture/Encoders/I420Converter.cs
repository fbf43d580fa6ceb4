using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

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
                case PixelFormat.Bgrx32 when BytePicking:
                    FromRgb32Picked(src, stride, width, height, 2, 0, y, yStride, u, uStride, v, vStride);
                    break;
                case PixelFormat.Rgbx32 when BytePicking:
                    FromRgb32Picked(src, stride, width, height, 0, 2, y, yStride, u, uStride, v, vStride);
                    break;
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

    /// <summary>
    /// Converts a 32-bit RGB frame with the path this CPU takes and with the scalar formula, and says whether every
    /// byte agrees: how the shipped binary proves its own SIMD path on a board (<c>clawedge screen bench convert</c>).
    /// </summary>
    public static bool MatchesScalar(in Frame frame)
    {
        int w = frame.Width & ~1, h = frame.Height & ~1;
        int stride = frame.Stride > 0 ? frame.Stride : frame.Format.FrameBytes(frame.Width, 1);
        var fast = new byte[w * h * 3 / 2];
        var slow = new byte[fast.Length];
        fixed (byte* f = fast, s = slow, src = frame.Data)
        {
            Convert(frame, w, h, f, w, f + w * h, w / 2, f + w * h * 5 / 4, w / 2);
            var (r, b) = frame.Format switch
            {
                PixelFormat.Bgrx32 => (2, 0),
                PixelFormat.Rgbx32 => (0, 2),
                _ => throw new NotSupportedException($"{frame.Format.FourCc()} has no scalar RGB reference"),
            };
            FromRgb32(src, stride, w, h, r, 1, b, s, w, s + w * h, w / 2, s + w * h * 5 / 4, w / 2);
        }
        return fast.AsSpan().SequenceEqual(slow);
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
    /// A byte shuffle in one instruction: SSSE3's <c>pshufb</c> (in the x86-64-v2 baseline the AOT build targets) or
    /// NEON's <c>tbl</c>. Both give 0 for an index with its top bit set, which <see cref="Pick"/> relies on.
    /// </summary>
    internal static bool BytePicking => Ssse3.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>The path 32-bit RGB takes on this CPU, for bench output.</summary>
    public static string PathName => BytePicking && !DisablePicking
        ? (Ssse3.IsSupported ? "SSSE3 pshufb, 16-bit luma" : "NEON tbl, 16-bit luma")
        : Vector128.IsHardwareAccelerated ? "Vector128, 32-bit lanes" : "scalar";

    /// <summary>Whether this build may use AVX2, and whether the CPU has it (CPUID leaf 7, EBX bit 5), for bench output.</summary>
    public static string Avx2State => X86Base.IsSupported
        ? $"AVX2 in this CPU: {((X86Base.CpuId(7, 0).Ebx & (1 << 5)) != 0 ? "yes" : "no")}, usable by this build: {(Avx2.IsSupported ? "yes" : "no")}"
        : "no x86";

    /// <summary>Tests turn the picking path off to compare it with the 32-bit one on the same machine.</summary>
    internal static bool DisablePicking;

    private static Vector128<byte> Pick(Vector128<byte> bytes, Vector128<byte> indices) =>
        Ssse3.IsSupported ? Ssse3.Shuffle(bytes, indices)
        : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.VectorTableLookup(bytes, indices)
        : Vector128.Shuffle(bytes, indices);

    // Channel `at` (0..3) of four 32-bit pixels into 16-bit lanes 0..3 (low) or 4..7 (high); 0x80 picks zero.
    private static Vector128<byte> ChannelIndices(int at, bool high)
    {
        Span<byte> indices = stackalloc byte[16];
        indices.Fill(0x80);
        for (int i = 0; i < 4; i++)
            indices[(high ? 8 : 0) + 2 * i] = (byte)(4 * i + at);
        return Vector128.Create<byte>(indices);
    }

    /// <summary>
    /// Sixteen pixels of two rows per step: each channel is picked into 16-bit lanes (two shuffles and an OR per
    /// eight pixels), so luma takes 16-bit multiplies over eight lanes (66·255 + 129·255 + 25·255 + 128 fits in 16
    /// unsigned bits); chroma, a quarter of the work, stays in 32-bit lanes. The formula is the scalar one, so the
    /// bytes are identical (a unit test compares them).
    /// </summary>
    private static void FromRgb32Picked(byte* src, int stride, int width, int height, int redAt, int blueAt,
        byte* y, int yStride, byte* u, int uStride, byte* v, int vStride)
    {
        if (DisablePicking)
        {
            FromRgb32Vector(src, stride, width, height, redAt * 8, blueAt * 8, y, yStride, u, uStride, v, vStride);
            return;
        }
        Vector128<byte> rLow = ChannelIndices(redAt, false), rHigh = ChannelIndices(redAt, true);
        Vector128<byte> gLow = ChannelIndices(1, false), gHigh = ChannelIndices(1, true);
        Vector128<byte> bLow = ChannelIndices(blueAt, false), bHigh = ChannelIndices(blueAt, true);
        int pickedWidth = width & ~15;
        for (int row = 0; row < height; row += 2)
        {
            byte* p0 = src + (long)row * stride;
            byte* p1 = p0 + stride;
            byte* y0 = y + (long)row * yStride;
            byte* y1 = y0 + yStride;
            byte* uRow = u + (long)(row / 2) * uStride;
            byte* vRow = v + (long)(row / 2) * vStride;
            int col = 0;
            for (; col < pickedWidth; col += 16)
            {
                var a0 = Vector128.Load(p0 + col * 4);
                var b0 = Vector128.Load(p0 + col * 4 + 16);
                var c0 = Vector128.Load(p0 + col * 4 + 32);
                var d0 = Vector128.Load(p0 + col * 4 + 48);
                var a1 = Vector128.Load(p1 + col * 4);
                var b1 = Vector128.Load(p1 + col * 4 + 16);
                var c1 = Vector128.Load(p1 + col * 4 + 32);
                var d1 = Vector128.Load(p1 + col * 4 + 48);
                // Pixels 0..7 and 8..15 of each row, one channel per vector of eight 16-bit lanes.
                var r00 = (Pick(a0, rLow) | Pick(b0, rHigh)).AsUInt16(); var r01 = (Pick(c0, rLow) | Pick(d0, rHigh)).AsUInt16();
                var g00 = (Pick(a0, gLow) | Pick(b0, gHigh)).AsUInt16(); var g01 = (Pick(c0, gLow) | Pick(d0, gHigh)).AsUInt16();
                var b00 = (Pick(a0, bLow) | Pick(b0, bHigh)).AsUInt16(); var b01 = (Pick(c0, bLow) | Pick(d0, bHigh)).AsUInt16();
                var r10 = (Pick(a1, rLow) | Pick(b1, rHigh)).AsUInt16(); var r11 = (Pick(c1, rLow) | Pick(d1, rHigh)).AsUInt16();
                var g10 = (Pick(a1, gLow) | Pick(b1, gHigh)).AsUInt16(); var g11 = (Pick(c1, gLow) | Pick(d1, gHigh)).AsUInt16();
                var b10 = (Pick(a1, bLow) | Pick(b1, bHigh)).AsUInt16(); var b11 = (Pick(c1, bLow) | Pick(d1, bHigh)).AsUInt16();
                Vector128.Narrow(Luma16(r00, g00, b00), Luma16(r01, g01, b01)).Store(y0 + col);
                Vector128.Narrow(Luma16(r10, g10, b10), Luma16(r11, g11, b11)).Store(y1 + col);
                // Column sums (≤ 510) per pixel, then neighbouring pairs: four 32-bit sums of four per vector.
                var rs0 = PairSums16(r00 + r10); var rs1 = PairSums16(r01 + r11);
                var gs0 = PairSums16(g00 + g10); var gs1 = PairSums16(g01 + g11);
                var bs0 = PairSums16(b00 + b10); var bs1 = PairSums16(b01 + b11);
                *(ulong*)(uRow + (col >> 1)) = Bytes(ChromaU(rs0, gs0, bs0), ChromaU(rs1, gs1, bs1)).AsUInt64().ToScalar();
                *(ulong*)(vRow + (col >> 1)) = Bytes(ChromaV(rs0, gs0, bs0), ChromaV(rs1, gs1, bs1)).AsUInt64().ToScalar();
            }
            if (col < width)
                FromRgb32Vector(p0 + col * 4, stride, width - col, 2, redAt * 8, blueAt * 8, y0 + col, yStride, uRow + col / 2, uStride, vRow + col / 2, vStride);
        }
    }

    private static Vector128<ushort> Luma16(Vector128<ushort> r, Vector128<ushort> g, Vector128<ushort> b) =>
        Vector128.ShiftRightLogical(r * (ushort)66 + g * (ushort)129 + b * (ushort)25 + Vector128.Create((ushort)128), 8) + Vector128.Create((ushort)16);

    private static Vector128<int> PairSums16(Vector128<ushort> sums)
    {
        var pairs = sums.AsInt32();
        return (pairs & Vector128.Create(0xFFFF)) + Vector128.ShiftRightLogical(pairs, 16);
    }

    // Sums of four: the >> 10 folds the /4 into the coefficient shift.
    private static Vector128<int> ChromaU(Vector128<int> rs, Vector128<int> gs, Vector128<int> bs) =>
        Vector128.ShiftRightArithmetic(rs * -38 + gs * -74 + bs * 112 + Vector128.Create(512), 10) + Vector128.Create(128);

    private static Vector128<int> ChromaV(Vector128<int> rs, Vector128<int> gs, Vector128<int> bs) =>
        Vector128.ShiftRightArithmetic(rs * 112 + gs * -94 + bs * -18 + Vector128.Create(512), 10) + Vector128.Create(128);

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
                var cu = ChromaU(rs, gs, bs);
                var cv = ChromaV(rs, gs, bs);
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
