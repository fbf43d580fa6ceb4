using System.Buffers;
using ClawEdge.Platform;
using SkiaSharp;

namespace ClawEdge.Capture.Imaging;

/// <summary>The still-image formats SkiaSharp encodes for us.</summary>
internal enum StillFormat
{
    Jpeg,
    Png,
}

/// <summary>
/// RGBX32 → JPEG or PNG through SkiaSharp, scaled down to <c>maxWidth</c> first (aspect kept): the one
/// check-scale-encode path behind <see cref="Jpeg.JpegEncoder"/> and <see cref="Png.PngEncoder"/>.
/// </summary>
internal static class RgbxEncoder
{
    // RGBX is described to Skia as opaque RGBA: same bytes, the X byte ignored, and Skia's scaler has a fast
    // path for RGBA that Rgb888x lacks (1080p → 1600 px: 8 ms instead of 50 ms here).
    private const SKColorType PixelType = SKColorType.Rgba8888;

    /// <param name="level">JPEG quality (1–100) or zlib level, by <paramref name="format"/>.</param>
    public static unsafe int Encode(StillFormat format, int level, ReadOnlySpan<byte> rgbx, int width, int height, int stride, int maxWidth,
        IBufferWriter<byte> output, out int outWidth, out int outHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * 4);
        if (rgbx.Length < (long)stride * (height - 1) + width * 4)
            throw new ArgumentException("pixel buffer too small for the size and stride", nameof(rgbx));
        (outWidth, outHeight) = ScaledSize(width, height, maxWidth);

        byte[]? scaled = null;
        try
        {
            fixed (byte* source = rgbx)
            {
                using var sourcePixmap = new SKPixmap(new SKImageInfo(width, height, PixelType, SKAlphaType.Opaque), (nint)source, stride);
                if (outWidth == width && outHeight == height)
                    return EncodePixmap(sourcePixmap, format, level, output);

                int scaledStride = outWidth * 4;
                scaled = LargeArrayPool.Shared.Rent(scaledStride * outHeight);
                fixed (byte* target = scaled)
                {
                    using var targetPixmap = new SKPixmap(new SKImageInfo(outWidth, outHeight, PixelType, SKAlphaType.Opaque), (nint)target, scaledStride);
                    // Bilinear is clean down to half size; below that, mipmaps avoid aliasing (building them costs
                    // more than the whole encode at 1080p, so only when needed).
                    var sampling = outWidth * 2 >= width ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)
                        : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
                    if (!sourcePixmap.ScalePixels(targetPixmap, sampling))
                        throw new CaptureException(CaptureError.Failed, $"scaling {width}x{height} to {outWidth}x{outHeight} failed");
                    return EncodePixmap(targetPixmap, format, level, output);
                }
            }
        }
        finally
        {
            if (scaled is not null)
                LargeArrayPool.Shared.Return(scaled);
        }
    }

    /// <summary>The size a frame is encoded at: width capped at <paramref name="maxWidth"/>, height scaled to keep the aspect ratio.</summary>
    public static (int Width, int Height) ScaledSize(int width, int height, int maxWidth)
    {
        if (maxWidth <= 0 || width <= maxWidth)
            return (width, height);
        return (maxWidth, Math.Max(1, (int)Math.Round((double)height * maxWidth / width)));
    }

    private static unsafe int EncodePixmap(SKPixmap pixmap, StillFormat format, int level, IBufferWriter<byte> output)
    {
        using var stream = new SKDynamicMemoryWStream();
        bool encoded = format == StillFormat.Jpeg
            ? pixmap.Encode(stream, new SKJpegEncoderOptions(level, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore))
            : pixmap.Encode(stream, new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, level));
        if (!encoded)
            throw new CaptureException(CaptureError.Failed, $"{(format == StillFormat.Jpeg ? "JPEG" : "PNG")} encoding failed");
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
