using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ClawEdge.Capture.Pixels;

/// <summary>
/// Camera formats to RGBX32 (what <see cref="Jpeg.JpegEncoder"/> takes), eight pixels per step with
/// Vector256 (AVX2) or Vector128 (SSE/NEON), the row tail in scalar code. The arithmetic is the same
/// 32-bit integer formula as <see cref="ScalarPixelConverter"/>, so results are bit-identical.
/// </summary>
public static class PixelConverter
{
    /// <summary>Bytes per row of NV12's interleaved chroma plane for a luma stride (even, to hold whole U,V pairs).</summary>
    public static int Nv12ChromaStride(int stride) => (stride + 1) & ~1;

    /// <summary>Whether <see cref="ToRgbx"/> accepts this format.</summary>
    public static bool CanConvert(PixelFormat format) => format is PixelFormat.Yuyv or PixelFormat.Uyvy or PixelFormat.Nv12
        or PixelFormat.Rgb24 or PixelFormat.Bgr24 or PixelFormat.Rgbx32 or PixelFormat.Bgrx32;

    /// <summary>Converts one frame; <paramref name="dst"/> needs <c>dstStride * height</c> bytes.</summary>
    public static void ToRgbx(PixelFormat format, ReadOnlySpan<byte> src, int width, int height, int stride, Span<byte> dst, int dstStride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dstStride, width * 4);
        if (dst.Length < (long)dstStride * (height - 1) + width * 4)
            throw new ArgumentException("destination too small", nameof(dst));
        long need = format switch
        {
            PixelFormat.Yuyv or PixelFormat.Uyvy => (long)stride * (height - 1) + ((width + 1) / 2) * 4,
            PixelFormat.Nv12 => (long)stride * height + (long)Nv12ChromaStride(stride) * ((height + 1) / 2 - 1) + ((width + 1) / 2) * 2,
            PixelFormat.Rgb24 or PixelFormat.Bgr24 => (long)stride * (height - 1) + width * 3,
            PixelFormat.Rgbx32 or PixelFormat.Bgrx32 => (long)stride * (height - 1) + width * 4,
            _ => throw new CaptureException(CaptureError.Unsupported, $"no conversion from {format.FourCc()} to RGBX"),
        };
        if (src.Length < need)
            throw new CaptureException(CaptureError.Failed, $"{format.FourCc()} frame {width}x{height} stride {stride} needs {need} bytes, got {src.Length}");
        switch (format)
        {
            case PixelFormat.Yuyv: Packed422(src, width, height, stride, dst, dstStride, yFirst: true); break;
            case PixelFormat.Uyvy: Packed422(src, width, height, stride, dst, dstStride, yFirst: false); break;
            case PixelFormat.Nv12: Nv12(src, width, height, stride, dst, dstStride); break;
            case PixelFormat.Rgb24: Rgb24(src, width, height, stride, dst, dstStride, bgr: false); break;
            case PixelFormat.Bgr24: Rgb24(src, width, height, stride, dst, dstStride, bgr: true); break;
            case PixelFormat.Rgbx32:
                for (int row = 0; row < height; row++)
                    src.Slice(row * stride, width * 4).CopyTo(dst.Slice(row * dstStride));
                break;
            case PixelFormat.Bgrx32: Bgrx(src, width, height, stride, dst, dstStride); break;
        }
    }

    // Shuffle masks: byte index per output lane; 0xFF (out of range) gives 0.
    private static readonly Vector128<byte> YuyvY = Vector128.Create((byte)0, 2, 4, 6, 8, 10, 12, 14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
    private static readonly Vector128<byte> YuyvU = Vector128.Create((byte)1, 1, 5, 5, 9, 9, 13, 13, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
    private static readonly Vector128<byte> YuyvV = Vector128.Create((byte)3, 3, 7, 7, 11, 11, 15, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
    private static readonly Vector128<byte> UyvyY = Vector128.Create((byte)1, 3, 5, 7, 9, 11, 13, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
    private static readonly Vector128<byte> UyvyU = Vector128.Create((byte)0, 0, 4, 4, 8, 8, 12, 12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
    private static readonly Vector128<byte> UyvyV = Vector128.Create((byte)2, 2, 6, 6, 10, 10, 14, 14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
    private static readonly Vector128<byte> Nv12Y = Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
    private static readonly Vector128<byte> Nv12U = Vector128.Create((byte)0, 0, 2, 2, 4, 4, 6, 6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
    private static readonly Vector128<byte> Nv12V = Vector128.Create((byte)1, 1, 3, 3, 5, 5, 7, 7, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
    private static readonly Vector128<byte> Rgb24Shuffle = Vector128.Create((byte)0, 1, 2, 0xFF, 3, 4, 5, 0xFF, 6, 7, 8, 0xFF, 9, 10, 11, 0xFF);
    private static readonly Vector128<byte> Bgr24Shuffle = Vector128.Create((byte)2, 1, 0, 0xFF, 5, 4, 3, 0xFF, 8, 7, 6, 0xFF, 11, 10, 9, 0xFF);
    private static readonly Vector128<byte> BgrxShuffle = Vector128.Create((byte)2, 1, 0, 0xFF, 6, 5, 4, 0xFF, 10, 9, 8, 0xFF, 14, 13, 12, 0xFF);
    private static readonly Vector128<byte> AlphaMask = Vector128.Create(0xFF000000u).AsByte();

    private static void Packed422(ReadOnlySpan<byte> src, int width, int height, int stride, Span<byte> dst, int dstStride, bool yFirst)
    {
        var (ym, um, vm) = yFirst ? (YuyvY, YuyvU, YuyvV) : (UyvyY, UyvyU, UyvyV);
        int yo = yFirst ? 0 : 1, uo = yFirst ? 1 : 0, vo = yFirst ? 3 : 2;
        ref byte s0 = ref MemoryMarshal.GetReference(src);
        ref byte d0 = ref MemoryMarshal.GetReference(dst);
        bool simd = Vector128.IsHardwareAccelerated;
        for (int row = 0; row < height; row++)
        {
            int x = 0;
            int rowStart = row * stride, dstRow = row * dstStride;
            if (simd)
            {
                for (; x + 8 <= width; x += 8)
                {
                    var bytes = Vector128.LoadUnsafe(ref s0, (nuint)(rowStart + x * 2));
                    Convert8(Shuffle(bytes, ym), Shuffle(bytes, um), Shuffle(bytes, vm), ref Unsafe.Add(ref d0, dstRow + x * 4));
                }
            }
            ScalarPixelConverter.PackedRow(src, rowStart, x, width, dst, dstRow, yo, uo, vo);
        }
    }

    private static void Nv12(ReadOnlySpan<byte> src, int width, int height, int stride, Span<byte> dst, int dstStride)
    {
        int uvBase = stride * height, uvStride = Nv12ChromaStride(stride);
        ref byte s0 = ref MemoryMarshal.GetReference(src);
        ref byte d0 = ref MemoryMarshal.GetReference(dst);
        bool simd = Vector128.IsHardwareAccelerated;
        for (int row = 0; row < height; row++)
        {
            int x = 0;
            int yRow = row * stride, uvRow = uvBase + (row >> 1) * uvStride, dstRow = row * dstStride;
            if (simd)
            {
                // 16-byte loads read 8 bytes past the 8 we use: stay clear of the buffer's end.
                for (; x + 8 <= width && uvRow + x + 16 <= src.Length && yRow + x + 16 <= src.Length; x += 8)
                {
                    var luma = Vector128.LoadUnsafe(ref s0, (nuint)(yRow + x));
                    var chroma = Vector128.LoadUnsafe(ref s0, (nuint)(uvRow + x));
                    Convert8(Shuffle(luma, Nv12Y), Shuffle(chroma, Nv12U), Shuffle(chroma, Nv12V), ref Unsafe.Add(ref d0, dstRow + x * 4));
                }
            }
            ScalarPixelConverter.Nv12Row(src, yRow, uvRow, x, width, dst, dstRow);
        }
    }

    /// <summary>Eight pixels whose Y, U, V bytes sit in the low 8 lanes of each vector → 32 bytes of RGBX.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Convert8(Vector128<byte> y8, Vector128<byte> u8, Vector128<byte> v8, ref byte dst)
    {
        if (Avx2.IsSupported)
        {
            var c = (Avx2.ConvertToVector256Int32(y8) - Vector256.Create(16)) * 298 + Vector256.Create(128);
            var d = Avx2.ConvertToVector256Int32(u8) - Vector256.Create(128);
            var e = Avx2.ConvertToVector256Int32(v8) - Vector256.Create(128);
            var r = Clamp(Vector256.ShiftRightArithmetic(c + e * 409, 8));
            var g = Clamp(Vector256.ShiftRightArithmetic(c - d * 100 - e * 208, 8));
            var b = Clamp(Vector256.ShiftRightArithmetic(c + d * 516, 8));
            var rgbx = r | Vector256.ShiftLeft(g, 8) | Vector256.ShiftLeft(b, 16) | Vector256.Create(unchecked((int)0xFF000000));
            rgbx.AsByte().StoreUnsafe(ref dst);
            return;
        }
        var y16 = Vector128.WidenLower(y8).AsInt16();
        var u16 = Vector128.WidenLower(u8).AsInt16();
        var v16 = Vector128.WidenLower(v8).AsInt16();
        Convert4(Vector128.WidenLower(y16), Vector128.WidenLower(u16), Vector128.WidenLower(v16), ref dst);
        Convert4(Vector128.WidenUpper(y16), Vector128.WidenUpper(u16), Vector128.WidenUpper(v16), ref Unsafe.Add(ref dst, 16));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Convert4(Vector128<int> y, Vector128<int> u, Vector128<int> v, ref byte dst)
    {
        var c = (y - Vector128.Create(16)) * 298 + Vector128.Create(128);
        var d = u - Vector128.Create(128);
        var e = v - Vector128.Create(128);
        var r = Clamp(Vector128.ShiftRightArithmetic(c + e * 409, 8));
        var g = Clamp(Vector128.ShiftRightArithmetic(c - d * 100 - e * 208, 8));
        var b = Clamp(Vector128.ShiftRightArithmetic(c + d * 516, 8));
        var rgbx = r | Vector128.ShiftLeft(g, 8) | Vector128.ShiftLeft(b, 16) | Vector128.Create(unchecked((int)0xFF000000));
        rgbx.AsByte().StoreUnsafe(ref dst);
    }

    // Masks live in static fields, so spell out the table-lookup instruction: both give 0 for index 0xFF.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> Shuffle(Vector128<byte> bytes, Vector128<byte> indices)
    {
        if (Ssse3.IsSupported)
            return Ssse3.Shuffle(bytes, indices);
        if (AdvSimd.Arm64.IsSupported)
            return AdvSimd.Arm64.VectorTableLookup(bytes, indices);
        return Vector128.Shuffle(bytes, indices);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Clamp(Vector256<int> x) => Vector256.Min(Vector256.Max(x, Vector256<int>.Zero), Vector256.Create(255));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Clamp(Vector128<int> x) => Vector128.Min(Vector128.Max(x, Vector128<int>.Zero), Vector128.Create(255));

    private static void Rgb24(ReadOnlySpan<byte> src, int width, int height, int stride, Span<byte> dst, int dstStride, bool bgr)
    {
        var mask = bgr ? Bgr24Shuffle : Rgb24Shuffle;
        ref byte s0 = ref MemoryMarshal.GetReference(src);
        ref byte d0 = ref MemoryMarshal.GetReference(dst);
        bool simd = Vector128.IsHardwareAccelerated;
        for (int row = 0; row < height; row++)
        {
            int x = 0, rowStart = row * stride, dstRow = row * dstStride;
            if (simd)
            {
                // Four pixels from a 16-byte load (12 used): keep the load inside the row's bytes.
                for (; (x + 4) * 3 + 4 <= width * 3 && rowStart + x * 3 + 16 <= src.Length; x += 4)
                {
                    var px = Shuffle(Vector128.LoadUnsafe(ref s0, (nuint)(rowStart + x * 3)), mask) | AlphaMask;
                    px.StoreUnsafe(ref Unsafe.Add(ref d0, dstRow + x * 4));
                }
            }
            ScalarPixelConverter.Rgb24Row(src, rowStart, x, width, dst, dstRow, bgr);
        }
    }

    private static void Bgrx(ReadOnlySpan<byte> src, int width, int height, int stride, Span<byte> dst, int dstStride)
    {
        ref byte s0 = ref MemoryMarshal.GetReference(src);
        ref byte d0 = ref MemoryMarshal.GetReference(dst);
        for (int row = 0; row < height; row++)
        {
            int x = 0, rowStart = row * stride, dstRow = row * dstStride;
            if (Vector128.IsHardwareAccelerated)
                for (; x + 4 <= width; x += 4)
                    (Shuffle(Vector128.LoadUnsafe(ref s0, (nuint)(rowStart + x * 4)), BgrxShuffle) | AlphaMask).StoreUnsafe(ref Unsafe.Add(ref d0, dstRow + x * 4));
            for (; x < width; x++)
            {
                int s = rowStart + x * 4, d = dstRow + x * 4;
                dst[d] = src[s + 2];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s];
                dst[d + 3] = 0xFF;
            }
        }
    }
}
