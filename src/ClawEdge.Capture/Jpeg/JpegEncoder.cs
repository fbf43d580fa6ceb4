using System.Buffers;
using ClawEdge.Capture.Imaging;
using ClawEdge.Platform;
using SkiaSharp;

namespace ClawEdge.Capture.Jpeg;

/// <summary>
/// RGBX32 → baseline JPEG through SkiaSharp (libjpeg-turbo inside), 4:2:0, no EXIF or other metadata.
/// Larger-than-<c>maxWidth</c> frames are scaled down first, preserving the aspect ratio.
/// </summary>
public static class JpegEncoder
{
    /// <summary>Encodes into <paramref name="output"/>; returns the JPEG's length.</summary>
    /// <param name="quality">1–100.</param>
    /// <param name="maxWidth">Scale down (aspect kept, height rounded, at least 1) when <paramref name="width"/> exceeds it; 0 or less: no limit.</param>
    public static int Encode(ReadOnlySpan<byte> rgbx, int width, int height, int stride, int quality, int maxWidth,
        IBufferWriter<byte> output, out int outWidth, out int outHeight) =>
        RgbxEncoder.Encode(StillFormat.Jpeg, Math.Clamp(quality, 1, 100), rgbx, width, height, stride, maxWidth, output, out outWidth, out outHeight);

    /// <summary>The size a frame is encoded at: width capped at <paramref name="maxWidth"/>, height scaled to keep the aspect ratio.</summary>
    public static (int Width, int Height) ScaledSize(int width, int height, int maxWidth) => RgbxEncoder.ScaledSize(width, height, maxWidth);

    /// <summary>Decodes a JPEG into RGBX32 (for MJPEG frames that must be resized or recompressed). The caller returns <paramref name="pixels"/> to the shared pool.</summary>
    public static unsafe void DecodeToRgbx(ReadOnlySpan<byte> jpeg, out byte[] pixels, out int width, out int height)
    {
        fixed (byte* data = jpeg)
        {
            using var skData = SKData.Create((nint)data, jpeg.Length);
            using var codec = SKCodec.Create(skData) ?? throw new CaptureException(CaptureError.Failed, "frame is not a decodable JPEG");
            width = codec.Info.Width;
            height = codec.Info.Height;
            // The codec will not write Rgb888x; RGBA with opaque alpha is the same bytes (A = 255).
            var info = codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Opaque);
            pixels = LargeArrayPool.Shared.Rent(width * height * 4);
            fixed (byte* target = pixels)
            {
                var result = codec.GetPixels(info, (nint)target);
                if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
                {
                    LargeArrayPool.Shared.Return(pixels);
                    throw new CaptureException(CaptureError.Failed, $"JPEG decode failed: {result}");
                }
            }
        }
    }
}
