using System.Buffers;
using System.Runtime.Intrinsics;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Native;
using ClawEdge.Platform;

namespace ClawEdge.Capture.Jpeg;

/// <summary>
/// MJPEG camera frames → I420 for the H.264 encoder through TurboJPEG: decoded to the JPEG's own YCbCr planes
/// (no RGB step for 4:2:2, 4:2:0, 4:4:4 and grey), then squeezed from JPEG's full range to the BT.601 limited
/// range x264 is told, chroma averaged to 4:2:0 on the way. Other layouts go through RGBX and
/// <see cref="I420Converter"/>. One instance per encoder (handles are not thread-safe); planes are pooled.
/// </summary>
public sealed unsafe class TurboJpegDecoder : IDisposable
{
    private readonly TurboJpegHandle _handle;
    private byte[]? _planes;

    private TurboJpegDecoder(TurboJpegHandle handle) => _handle = handle;

    /// <summary>A decoder, or null with the reason when libturbojpeg is not available.</summary>
    public static TurboJpegDecoder? TryCreate(out string? reason)
    {
        if (!TurboJpeg.TryLoad(out reason))
            return null;
        var handle = new TurboJpegHandle(TurboJpeg.InitDecompress());
        if (handle.IsInvalid)
        {
            reason = $"tjInitDecompress failed: {TurboJpeg.Error(handle)}";
            return null;
        }
        return new TurboJpegDecoder(handle);
    }

    /// <summary>Decodes <paramref name="jpeg"/> and writes its top-left <paramref name="width"/>×<paramref name="height"/> (even) as I420.</summary>
    public void DecodeToI420(ReadOnlySpan<byte> jpeg, int width, int height, byte* y, int yStride, byte* u, int uStride, byte* v, int vStride)
    {
        fixed (byte* data = jpeg)
        {
            int jw, jh, subsampling, colorspace;
            if (TurboJpeg.DecompressHeader3(_handle.DangerousGetHandle(), data, (nuint)jpeg.Length, &jw, &jh, &subsampling, &colorspace) != 0)
                throw new CaptureException(CaptureError.Failed, $"camera frame is not a decodable JPEG: {TurboJpeg.Error(_handle)}");
            if (jw < width || jh < height)
                throw new CaptureException(CaptureError.Failed, $"JPEG frame {jw}x{jh} is smaller than the {width}x{height} clip");
            (int hf, int vf) = subsampling switch
            {
                TurboJpeg.Samp444 => (1, 1),
                TurboJpeg.Samp422 => (2, 1),
                TurboJpeg.Samp420 => (2, 2),
                TurboJpeg.SampGray => (0, 0),
                _ => (-1, -1),
            };
            if (hf < 0)
            {
                ThroughRgbx(data, jpeg.Length, jw, jh, width, height, y, yStride, u, uStride, v, vStride);
                return;
            }
            int cw = hf == 0 ? 0 : (jw + hf - 1) / hf, ch = vf == 0 ? 0 : (jh + vf - 1) / vf;
            int lumaBytes = jw * jh;
            Rent(lumaBytes + 2 * cw * ch);
            fixed (byte* planes = _planes)
            {
                byte** targets = stackalloc byte*[3];
                int* strides = stackalloc int[3];
                targets[0] = planes;
                targets[1] = planes + lumaBytes;
                targets[2] = planes + lumaBytes + cw * ch;
                strides[0] = jw;
                strides[1] = strides[2] = cw;
                if (TurboJpeg.DecompressToYuvPlanes(_handle.DangerousGetHandle(), data, (nuint)jpeg.Length, targets, 0, strides, 0, 0) != 0)
                    throw new CaptureException(CaptureError.Failed, $"JPEG decode failed: {TurboJpeg.Error(_handle)}");
                for (int row = 0; row < height; row++)
                    LimitedLuma(targets[0] + (long)row * jw, y + (long)row * yStride, width);
                if (hf == 0)
                {
                    for (int row = 0; row < height / 2; row++)
                    {
                        new Span<byte>(u + (long)row * uStride, width / 2).Fill(128);
                        new Span<byte>(v + (long)row * vStride, width / 2).Fill(128);
                    }
                    return;
                }
                ToI420Chroma(targets[1], cw, hf, vf, width, height, u, uStride);
                ToI420Chroma(targets[2], cw, hf, vf, width, height, v, vStride);
            }
        }
    }

    // 4:4:4 and 4:2:2 chroma is averaged over each 2×2 block, 4:2:0 copied.
    private static void ToI420Chroma(byte* source, int sourceStride, int hf, int vf, int width, int height, byte* target, int targetStride)
    {
        for (int row = 0; row < height / 2; row++)
        {
            byte* r0 = source + (long)(vf == 2 ? row : row * 2) * sourceStride;
            byte* r1 = vf == 2 ? r0 : r0 + sourceStride;
            byte* t = target + (long)row * targetStride;
            if (hf == 2)
            {
                AverageRows(r0, r1, t, width / 2);
            }
            else
            {
                for (int x = 0; x < width / 2; x++)
                    t[x] = (byte)((r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 2) >> 2);
                LimitedChroma(t, t, width / 2);
            }
        }
    }

    // (a + b + 1) / 2 then the range squeeze: for identical rows (4:2:0) a copy with the squeeze.
    private static void AverageRows(byte* a, byte* b, byte* target, int count)
    {
        int x = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; x + 16 <= count; x += 16)
            {
                var va = Vector128.Load(a + x);
                var vb = Vector128.Load(b + x);
                var low = (Vector128.WidenLower(va) + Vector128.WidenLower(vb) + Vector128.Create((ushort)1)) >> 1;
                var high = (Vector128.WidenUpper(va) + Vector128.WidenUpper(vb) + Vector128.Create((ushort)1)) >> 1;
                Vector128.Store(Vector128.Narrow(LimitedChroma(low.AsInt16()).AsUInt16(), LimitedChroma(high.AsInt16()).AsUInt16()), target + x);
            }
        }
        for (; x < count; x++)
            target[x] = LimitedChroma((a[x] + b[x] + 1) >> 1);
    }

    // Q8 factors: 220/256 ≈ 219/255 and 225/256 ≈ 224/255; products fit 16-bit lanes.
    internal static byte LimitedLuma(int y) => (byte)(((y * 220 + 128) >> 8) + 16);

    internal static byte LimitedChroma(int c) => (byte)((((c - 128) * 225 + 128) >> 8) + 128);

    private static void LimitedLuma(byte* source, byte* target, int count)
    {
        int x = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; x + 16 <= count; x += 16)
            {
                var bytes = Vector128.Load(source + x);
                Vector128.Store(Vector128.Narrow(LimitedLuma(Vector128.WidenLower(bytes)), LimitedLuma(Vector128.WidenUpper(bytes))), target + x);
            }
        }
        for (; x < count; x++)
            target[x] = LimitedLuma(source[x]);
    }

    private static void LimitedChroma(byte* source, byte* target, int count)
    {
        for (int x = 0; x < count; x++)
            target[x] = LimitedChroma(source[x]);
    }

    private static Vector128<ushort> LimitedLuma(Vector128<ushort> y) =>
        Vector128.ShiftRightLogical(y * 220 + Vector128.Create((ushort)128), 8) + Vector128.Create((ushort)16);

    private static Vector128<short> LimitedChroma(Vector128<short> c) =>
        Vector128.ShiftRightArithmetic((c - Vector128.Create((short)128)) * 225 + Vector128.Create((short)128), 8) + Vector128.Create((short)128);

    private void ThroughRgbx(byte* data, int length, int jw, int jh, int width, int height, byte* y, int yStride, byte* u, int uStride, byte* v, int vStride)
    {
        Rent(jw * jh * 4);
        fixed (byte* pixels = _planes)
        {
            if (TurboJpeg.Decompress2(_handle.DangerousGetHandle(), data, (nuint)length, pixels, jw, jw * 4, jh, TurboJpeg.PixelRgbx, 0) != 0)
                throw new CaptureException(CaptureError.Failed, $"JPEG decode failed: {TurboJpeg.Error(_handle)}");
            var frame = new Frame(new ReadOnlySpan<byte>(pixels, jw * jh * 4), jw, jh, jw * 4, PixelFormat.Rgbx32, TimeSpan.Zero, 0);
            I420Converter.Convert(frame, width, height, y, yStride, u, uStride, v, vStride);
        }
    }

    private void Rent(int bytes)
    {
        if (_planes is not null && _planes.Length >= bytes)
            return;
        if (_planes is not null)
            LargeArrayPool.Shared.Return(_planes);
        _planes = null;
        _planes = LargeArrayPool.Shared.Rent(bytes);
    }

    public void Dispose()
    {
        _handle.Dispose();
        if (_planes is not null)
            LargeArrayPool.Shared.Return(_planes);
        _planes = null;
    }
}
