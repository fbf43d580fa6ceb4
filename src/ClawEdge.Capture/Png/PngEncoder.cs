using System.Buffers;
using ClawEdge.Capture.Jpeg;
using SkiaSharp;

namespace ClawEdge.Capture.Png;

/// <summary>
/// RGBX32 → PNG (opaque RGB) through SkiaSharp's encoder (libpng + zlib inside), scaled down to <c>maxWidth</c> first
/// like <see cref="JpegEncoder"/>. zlib level 1: screens are flat colour and text, which level 1 already packs well,
/// and the higher levels cost several times the time for a few percent (see docs/PERFORMANCE.md).
/// </summary>
public static class PngEncoder
{
    public const int ZlibLevel = 1;

    public static unsafe int Encode(ReadOnlySpan<byte> rgbx, int width, int height, int stride, int maxWidth,
        IBufferWriter<byte> output, out int outWidth, out int outHeight, int zlibLevel = ZlibLevel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * 4);
        if (rgbx.Length < (long)stride * (height - 1) + width * 4)
            throw new ArgumentException("pixel buffer too small for the size and stride", nameof(rgbx));
        (outWidth, outHeight) = JpegEncoder.ScaledSize(width, height, maxWidth);
        byte[]? scaled = null;
        try
        {
            fixed (byte* source = rgbx)
            {
                using var sourcePixmap = new SKPixmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), (nint)source, stride);
                if (outWidth == width && outHeight == height)
                    return EncodePixmap(sourcePixmap, zlibLevel, output);
                int scaledStride = outWidth * 4;
                scaled = ArrayPool<byte>.Shared.Rent(scaledStride * outHeight);
                fixed (byte* target = scaled)
                {
                    using var targetPixmap = new SKPixmap(new SKImageInfo(outWidth, outHeight, SKColorType.Rgba8888, SKAlphaType.Opaque), (nint)target, scaledStride);
                    var sampling = outWidth * 2 >= width ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)
                        : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
                    if (!sourcePixmap.ScalePixels(targetPixmap, sampling))
                        throw new CaptureException(CaptureError.Failed, $"scaling {width}x{height} to {outWidth}x{outHeight} failed");
                    return EncodePixmap(targetPixmap, zlibLevel, output);
                }
            }
        }
        finally
        {
            if (scaled is not null)
                ArrayPool<byte>.Shared.Return(scaled);
        }
    }

    private static unsafe int EncodePixmap(SKPixmap pixmap, int zlibLevel, IBufferWriter<byte> output)
    {
        using var stream = new SKDynamicMemoryWStream();
        if (!pixmap.Encode(stream, new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zlibLevel)))
            throw new CaptureException(CaptureError.Failed, "PNG encoding failed");
        int length = (int)stream.BytesWritten;
        var span = output.GetSpan(length);
        fixed (byte* destination = span)
        {
            stream.CopyTo((nint)destination);
        }
        output.Advance(length);
        return length;
    }
}
