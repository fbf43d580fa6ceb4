using System.Buffers;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Imaging;

namespace ClawEdge.Capture.Png;

/// <summary>
/// RGBX32 → PNG (opaque RGB) through SkiaSharp's encoder (libpng + zlib inside), scaled down to <c>maxWidth</c> first
/// like <see cref="JpegEncoder"/>. zlib level 1: screens are flat colour and text, which level 1 already packs well,
/// and the higher levels cost several times the time for a few percent (see docs/PERFORMANCE.md).
/// </summary>
public static class PngEncoder
{
    public const int ZlibLevel = 1;

    public static int Encode(ReadOnlySpan<byte> rgbx, int width, int height, int stride, int maxWidth,
        IBufferWriter<byte> output, out int outWidth, out int outHeight, int zlibLevel = ZlibLevel) =>
        RgbxEncoder.Encode(StillFormat.Png, zlibLevel, rgbx, width, height, stride, maxWidth, output, out outWidth, out outHeight);
}
