using System.Buffers;
using System.Runtime.Intrinsics;
using ClawEdge.Capture.Pixels;
using ClawEdge.Platform;

namespace ClawEdge.Capture.Jpeg;

/// <summary>
/// Camera YUV → the planar YCbCr a JPEG holds, with no RGB step: YUYV → 4:2:2 planes, NV12 → 4:2:0 planes, and
/// plane scaling for <c>maxWidth</c>. Cameras deliver BT.601 limited range (what <see cref="PixelConverter"/>
/// assumes); JFIF is full range, so every sample is stretched on the way. Chroma planes are
/// <c>(width + 1) / 2</c> wide, as TurboJPEG lays them out.
/// </summary>
internal static unsafe class YuvPlanes
{
    // Q7 factors: 149/128 ≈ 255/219 and 146/128 ≈ 255/224; every product fits a 16-bit lane, so the SIMD
    // paths compute exactly this.
    public static byte FullRangeLuma(int y) => (byte)Math.Min(255, (Math.Max(y - 16, 0) * 149 + 64) >> 7);

    public static byte FullRangeChroma(int c) => (byte)Math.Clamp((((c - 128) * 146 + 64) >> 7) + 128, 0, 255);

    /// <summary>Chroma plane width for a luma width (both 4:2:2 and 4:2:0 halve it, rounding up).</summary>
    public static int ChromaWidth(int width) => (width + 1) / 2;

    // U0 V0 U1 V1 … U7 V7 → U0…U7 V0…V7.
    private static readonly Vector128<byte> Deinterleave = Vector128.Create((byte)0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);

    /// <summary>YUYV (<paramref name="stride"/> bytes a row) → Y, Cb, Cr planes: 4:2:2, or 4:2:0 with <paramref name="halveChroma"/> (row pairs averaged).</summary>
    public static void FromYuyv(ReadOnlySpan<byte> src, int width, int height, int stride,
        Span<byte> y, int yStride, Span<byte> u, Span<byte> v, int chromaStride, bool halveChroma = false)
    {
        int cw = ChromaWidth(width), ch = halveChroma ? (height + 1) / 2 : height;
        Check(src.Length, (long)stride * (height - 1) + cw * 4, "YUYV", width, height, stride);
        CheckPlane(y, yStride, width, height);
        CheckPlane(u, chromaStride, cw, ch);
        CheckPlane(v, chromaStride, cw, ch);
        fixed (byte* s = src, py = y, pu = u, pv = v)
        {
            for (int row = 0; row < height; row++)
            {
                byte* p = s + (long)row * stride;
                byte* yr = py + (long)row * yStride;
                int x = 0;
                if (Vector128.IsHardwareAccelerated)
                {
                    var mask = Vector128.Create((ushort)0xFF);
                    for (; x + 16 <= width; x += 16)
                        Vector128.Store(Vector128.Narrow(Luma(Vector128.Load(p + x * 2).AsUInt16() & mask), Luma(Vector128.Load(p + x * 2 + 16).AsUInt16() & mask)), yr + x);
                }
                for (; x < width; x++)
                    yr[x] = FullRangeLuma(p[x * 2]);
            }
            for (int row = 0; row < ch; row++)
            {
                // Both source rows are the same one for 4:2:2 (and for the last row of an odd height).
                byte* p0 = s + (long)(halveChroma ? row * 2 : row) * stride;
                byte* p1 = halveChroma && row * 2 + 1 < height ? p0 + stride : p0;
                byte* ur = pu + (long)row * chromaStride, vr = pv + (long)row * chromaStride;
                int x = 0;
                if (Vector128.IsHardwareAccelerated)
                {
                    var one = Vector128.Create((ushort)1);
                    for (; x + 8 <= cw; x += 8)
                    {
                        var a = (Vector128.ShiftRightLogical(Vector128.Load(p0 + x * 4).AsUInt16(), 8) + Vector128.ShiftRightLogical(Vector128.Load(p1 + x * 4).AsUInt16(), 8) + one) >> 1;
                        var b = (Vector128.ShiftRightLogical(Vector128.Load(p0 + x * 4 + 16).AsUInt16(), 8) + Vector128.ShiftRightLogical(Vector128.Load(p1 + x * 4 + 16).AsUInt16(), 8) + one) >> 1;
                        StoreChroma(Chroma(a.AsInt16()), Chroma(b.AsInt16()), ur + x, vr + x);
                    }
                }
                for (; x < cw; x++)
                {
                    ur[x] = FullRangeChroma((p0[x * 4 + 1] + p1[x * 4 + 1] + 1) >> 1);
                    vr[x] = FullRangeChroma((p0[x * 4 + 3] + p1[x * 4 + 3] + 1) >> 1);
                }
            }
        }
    }

    /// <summary>NV12 (luma plane of <paramref name="stride"/> bytes a row, then interleaved CbCr) → Y, Cb, Cr planes, 4:2:0.</summary>
    public static void FromNv12(ReadOnlySpan<byte> src, int width, int height, int stride,
        Span<byte> y, int yStride, Span<byte> u, Span<byte> v, int chromaStride)
    {
        int cw = ChromaWidth(width), ch = (height + 1) / 2, uvStride = PixelConverter.Nv12ChromaStride(stride);
        long uvBase = (long)stride * height;
        Check(src.Length, uvBase + (long)uvStride * (ch - 1) + cw * 2, "NV12", width, height, stride);
        CheckPlane(y, yStride, width, height);
        CheckPlane(u, chromaStride, cw, ch);
        CheckPlane(v, chromaStride, cw, ch);
        fixed (byte* s = src, py = y, pu = u, pv = v)
        {
            for (int row = 0; row < height; row++)
            {
                byte* p = s + (long)row * stride, yr = py + (long)row * yStride;
                int x = 0;
                if (Vector128.IsHardwareAccelerated)
                {
                    for (; x + 16 <= width; x += 16)
                    {
                        var bytes = Vector128.Load(p + x);
                        Vector128.Store(Vector128.Narrow(Luma(Vector128.WidenLower(bytes)), Luma(Vector128.WidenUpper(bytes))), yr + x);
                    }
                }
                for (; x < width; x++)
                    yr[x] = FullRangeLuma(p[x]);
            }
            for (int row = 0; row < ch; row++)
            {
                byte* p = s + uvBase + (long)row * uvStride;
                byte* ur = pu + (long)row * chromaStride, vr = pv + (long)row * chromaStride;
                int x = 0;
                if (Vector128.IsHardwareAccelerated)
                {
                    for (; x + 8 <= cw; x += 8)
                    {
                        var bytes = Vector128.Load(p + x * 2);
                        StoreChroma(Chroma(Vector128.WidenLower(bytes).AsInt16()), Chroma(Vector128.WidenUpper(bytes).AsInt16()), ur + x, vr + x);
                    }
                }
                for (; x < cw; x++)
                {
                    ur[x] = FullRangeChroma(p[x * 2]);
                    vr[x] = FullRangeChroma(p[x * 2 + 1]);
                }
            }
        }
    }

    private static Vector128<ushort> Luma(Vector128<ushort> y)
    {
        var t = Vector128.Max(y, Vector128.Create((ushort)16)) - Vector128.Create((ushort)16);
        return Vector128.Min(Vector128.ShiftRightLogical(t * 149 + Vector128.Create((ushort)64), 7), Vector128.Create((ushort)255));
    }

    private static Vector128<short> Chroma(Vector128<short> c)
    {
        var full = Vector128.ShiftRightArithmetic((c - Vector128.Create((short)128)) * 146 + Vector128.Create((short)64), 7) + Vector128.Create((short)128);
        return Vector128.Min(Vector128.Max(full, Vector128<short>.Zero), Vector128.Create((short)255));
    }

    // Sixteen interleaved chroma samples (U0 V0 … U7 V7, one per 16-bit lane) → eight Cb and eight Cr bytes.
    private static void StoreChroma(Vector128<short> first, Vector128<short> second, byte* u, byte* v)
    {
        var split = PixelConverter.Shuffle(Vector128.Narrow(first.AsUInt16(), second.AsUInt16()), Deinterleave).AsUInt64();
        *(ulong*)u = split.GetElement(0);
        *(ulong*)v = split.GetElement(1);
    }

    /// <summary>
    /// Scales one plane to <paramref name="dstWidth"/>×<paramref name="dstHeight"/>: 2×2 averages while the
    /// target is at most half the source both ways (so a big step down does not alias), then bilinear.
    /// </summary>
    public static void Resize(ReadOnlySpan<byte> src, int srcWidth, int srcHeight, int srcStride,
        Span<byte> dst, int dstWidth, int dstHeight, int dstStride)
    {
        CheckPlane(src, srcStride, srcWidth, srcHeight);
        CheckPlane(dst, dstStride, dstWidth, dstHeight);
        if (dstWidth * 2 > srcWidth || dstHeight * 2 > srcHeight)
        {
            Bilinear(src, srcWidth, srcHeight, srcStride, dst, dstWidth, dstHeight, dstStride);
            return;
        }
        byte[] halved = LargeArrayPool.Shared.Rent((srcWidth / 2) * (srcHeight / 2));
        try
        {
            int w = srcWidth / 2, h = srcHeight / 2;
            Halve(src, srcStride, halved, w, w, h);
            // Later rounds work in place: output (x, y) lands at or before every sample it, or any later one, still reads.
            while (dstWidth * 2 <= w && dstHeight * 2 <= h)
            {
                Halve(halved, w, halved, w / 2, w / 2, h / 2);
                w /= 2;
                h /= 2;
            }
            Bilinear(halved, w, h, w, dst, dstWidth, dstHeight, dstStride);
        }
        finally
        {
            LargeArrayPool.Shared.Return(halved);
        }
    }

    private static void Halve(ReadOnlySpan<byte> src, int srcStride, Span<byte> dst, int dstStride, int width, int height)
    {
        for (int row = 0; row < height; row++)
        {
            int s0 = row * 2 * srcStride, s1 = s0 + srcStride, d = row * dstStride;
            for (int x = 0; x < width; x++)
                dst[d + x] = (byte)((src[s0 + 2 * x] + src[s0 + 2 * x + 1] + src[s1 + 2 * x] + src[s1 + 2 * x + 1] + 2) >> 2);
        }
    }

    // Sample centres aligned ((x + ½)·ratio − ½), 8-bit weights, edges clamped.
    private static void Bilinear(ReadOnlySpan<byte> src, int srcWidth, int srcHeight, int srcStride,
        Span<byte> dst, int dstWidth, int dstHeight, int dstStride)
    {
        int[] columns = ArrayPool<int>.Shared.Rent(dstWidth * 3);
        try
        {
            for (int x = 0; x < dstWidth; x++)
            {
                Position(x, srcWidth, dstWidth, out int x0, out int x1, out int fx);
                columns[x * 3] = x0;
                columns[x * 3 + 1] = x1;
                columns[x * 3 + 2] = fx;
            }
            // Pointers, not spans: the inner loop is the snap's hottest scalar code, and the bounds were checked above.
            fixed (byte* s = src, d = dst)
            fixed (int* c = columns)
            {
                for (int row = 0; row < dstHeight; row++)
                {
                    Position(row, srcHeight, dstHeight, out int y0, out int y1, out int fy);
                    byte* top = s + (long)y0 * srcStride, bottom = s + (long)y1 * srcStride, target = d + (long)row * dstStride;
                    int gy = 256 - fy;
                    for (int x = 0; x < dstWidth; x++)
                    {
                        int a = c[x * 3], b = c[x * 3 + 1], fx = c[x * 3 + 2], gx = 256 - fx;
                        int upper = top[a] * gx + top[b] * fx;
                        int lower = bottom[a] * gx + bottom[b] * fx;
                        target[x] = (byte)((upper * gy + lower * fy + 32768) >> 16);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(columns);
        }
    }

    private static void Position(int i, int source, int target, out int i0, out int i1, out int fraction)
    {
        long q8 = ((2L * i + 1) * source * 256) / (2L * target) - 128;
        if (q8 < 0)
            q8 = 0;
        i0 = (int)(q8 >> 8);
        fraction = (int)(q8 & 255);
        if (i0 >= source - 1)
        {
            i0 = source - 1;
            fraction = 0;
        }
        i1 = Math.Min(i0 + 1, source - 1);
    }

    private static void Check(int length, long needed, string format, int width, int height, int stride)
    {
        if (width < 1 || height < 1)
            throw new CaptureException(CaptureError.Failed, $"{format} frame {width}x{height} is empty");
        if (length < needed)
            throw new CaptureException(CaptureError.Failed, $"{format} frame {width}x{height} stride {stride} needs {needed} bytes, got {length}");
    }

    private static void CheckPlane(ReadOnlySpan<byte> plane, int stride, int width, int height)
    {
        if (width < 1 || height < 1 || stride < width || plane.Length < (long)stride * (height - 1) + width)
            throw new ArgumentException($"plane of {plane.Length} bytes cannot hold {width}x{height} at stride {stride}");
    }
}
