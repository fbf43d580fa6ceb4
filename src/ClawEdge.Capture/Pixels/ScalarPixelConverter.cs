using System.Runtime.CompilerServices;

namespace ClawEdge.Capture.Pixels;

/// <summary>
/// The reference conversions to RGBX32 (R,G,B,0xFF per pixel): BT.601 limited range in integer math,
/// one pixel at a time. The SIMD paths in <see cref="PixelConverter"/> must match these bit for bit.
/// </summary>
public static class ScalarPixelConverter
{
    // R = (298(Y-16) + 409(V-128) + 128) >> 8, G = (298(Y-16) - 100(U-128) - 208(V-128) + 128) >> 8, B = (298(Y-16) + 516(U-128) + 128) >> 8
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint YuvToRgbx(int y, int u, int v)
    {
        int c = 298 * (y - 16) + 128, d = u - 128, e = v - 128;
        int r = Clamp((c + 409 * e) >> 8), g = Clamp((c - 100 * d - 208 * e) >> 8), b = Clamp((c + 516 * d) >> 8);
        return (uint)r | ((uint)g << 8) | ((uint)b << 16) | 0xFF000000u;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Clamp(int x) => x < 0 ? 0 : x > 255 ? 255 : x;

    private static void Put(Span<byte> dst, int offset, uint rgbx)
    {
        dst[offset] = (byte)rgbx;
        dst[offset + 1] = (byte)(rgbx >> 8);
        dst[offset + 2] = (byte)(rgbx >> 16);
        dst[offset + 3] = (byte)(rgbx >> 24);
    }

    /// <summary>Packed 4:2:2; <paramref name="yFirst"/> for YUYV (Y0 U Y1 V), false for UYVY (U Y0 V Y1). Odd widths use the last pair's chroma.</summary>
    public static void Packed422(ReadOnlySpan<byte> src, int width, int height, int stride, Span<byte> dst, int dstStride, bool yFirst)
    {
        int yo = yFirst ? 0 : 1, uo = yFirst ? 1 : 0, vo = yFirst ? 3 : 2;
        for (int row = 0; row < height; row++)
            PackedRow(src, row * stride, 0, width, dst, row * dstStride, yo, uo, vo);
    }

    internal static void PackedRow(ReadOnlySpan<byte> src, int rowStart, int fromX, int width, Span<byte> dst, int dstRow, int yo, int uo, int vo)
    {
        for (int x = fromX; x < width; x++)
        {
            int m = rowStart + (x >> 1) * 4;
            Put(dst, dstRow + x * 4, YuvToRgbx(src[m + yo + (x & 1) * 2], src[m + uo], src[m + vo]));
        }
    }

    /// <summary>NV12: a Y plane of <paramref name="stride"/>-byte rows, then interleaved U,V at quarter resolution whose rows are <see cref="PixelConverter.Nv12ChromaStride"/> bytes.</summary>
    public static void Nv12(ReadOnlySpan<byte> src, int width, int height, int stride, Span<byte> dst, int dstStride)
    {
        int uvBase = stride * height, uvStride = PixelConverter.Nv12ChromaStride(stride);
        for (int row = 0; row < height; row++)
            Nv12Row(src, row * stride, uvBase + (row >> 1) * uvStride, 0, width, dst, row * dstStride);
    }

    internal static void Nv12Row(ReadOnlySpan<byte> src, int yRow, int uvRow, int fromX, int width, Span<byte> dst, int dstRow)
    {
        for (int x = fromX; x < width; x++)
        {
            int uv = uvRow + (x >> 1) * 2;
            Put(dst, dstRow + x * 4, YuvToRgbx(src[yRow + x], src[uv], src[uv + 1]));
        }
    }

    /// <summary>RGB24 (<paramref name="bgr"/> false) or BGR24 to RGBX32.</summary>
    public static void Rgb24(ReadOnlySpan<byte> src, int width, int height, int stride, Span<byte> dst, int dstStride, bool bgr)
    {
        for (int row = 0; row < height; row++)
            Rgb24Row(src, row * stride, 0, width, dst, row * dstStride, bgr);
    }

    internal static void Rgb24Row(ReadOnlySpan<byte> src, int rowStart, int fromX, int width, Span<byte> dst, int dstRow, bool bgr)
    {
        for (int x = fromX; x < width; x++)
        {
            int s = rowStart + x * 3, d = dstRow + x * 4;
            dst[d] = src[s + (bgr ? 2 : 0)];
            dst[d + 1] = src[s + 1];
            dst[d + 2] = src[s + (bgr ? 0 : 2)];
            dst[d + 3] = 0xFF;
        }
    }
}
