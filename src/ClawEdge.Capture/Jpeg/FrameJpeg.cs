using System.Buffers.Binary;
using System.Buffers;
using ClawEdge.Capture.Pixels;
using ClawEdge.Platform;

namespace ClawEdge.Capture.Jpeg;

/// <summary>Which encoder made a JPEG: the result of <c>camera.snap</c> names it.</summary>
public enum JpegEncoding
{
    /// <summary>The camera's own MJPEG bytes, untouched.</summary>
    Passthrough,
    TurboJpeg,
    Skia,
}

/// <summary>
/// Any captured frame → JPEG: MJPEG passed through untouched when it already fits (else re-encoded on its own YCbCr
/// planes), YUYV and NV12 through TurboJPEG when libturbojpeg is installed, everything else (and everything when it
/// is not) through Skia.
/// </summary>
public static class FrameJpeg
{
    /// <summary>The name results and logs use.</summary>
    public static string Name(this JpegEncoding encoding) => encoding switch
    {
        JpegEncoding.Passthrough => "passthrough",
        JpegEncoding.TurboJpeg => "turbojpeg",
        _ => "skia",
    };

    /// <param name="quality">1–100, for frames that are (re)encoded.</param>
    /// <param name="maxWidth">0: no limit.</param>
    /// <param name="forceReencode">Re-encode even an MJPEG frame that fits (to shrink a payload).</param>
    /// <param name="encoding">Who made the output: <see cref="JpegEncoding.Passthrough"/> when it holds the camera's own bytes.</param>
    public static int Encode(Frame frame, int quality, int maxWidth, IBufferWriter<byte> output, out int width, out int height,
        out JpegEncoding encoding, bool forceReencode = false)
    {
        encoding = JpegEncoding.Skia;
        if (frame.Format is PixelFormat.Mjpeg or PixelFormat.Jpeg)
        {
            if (!TryReadSize(frame.Data, out width, out height))
                throw new CaptureException(CaptureError.Failed, "camera frame is not a JPEG (no SOI/SOF marker)");
            if (!forceReencode && (maxWidth <= 0 || width <= maxWidth))
            {
                encoding = JpegEncoding.Passthrough;
                output.Write(frame.Data);
                return frame.Data.Length;
            }
            if (TurboJpegEncoder.TryReencode(frame.Data, quality, maxWidth, output, out int reencoded, out int tw, out int th))
            {
                (width, height, encoding) = (tw, th, JpegEncoding.TurboJpeg);
                return reencoded;
            }
            JpegEncoder.DecodeToRgbx(frame.Data, out var decoded, out int w, out int h);
            try
            {
                return JpegEncoder.Encode(decoded, w, h, w * 4, quality, maxWidth, output, out width, out height);
            }
            finally
            {
                LargeArrayPool.Shared.Return(decoded);
            }
        }

        if (TurboJpegEncoder.TryEncode(frame, quality, maxWidth, output, out int length, out width, out height))
        {
            encoding = JpegEncoding.TurboJpeg;
            return length;
        }
        if (!PixelConverter.CanConvert(frame.Format))
            throw new CaptureException(CaptureError.Unsupported, $"cannot encode {frame.Format.FourCc()} frames as JPEG");
        int stride = frame.Width * 4;
        var rgbx = LargeArrayPool.Shared.Rent(stride * frame.Height);
        try
        {
            int sourceStride = frame.Stride > 0 ? frame.Stride : frame.Format.FrameBytes(frame.Width, 1);
            PixelConverter.ToRgbx(frame.Format, frame.Data, frame.Width, frame.Height, sourceStride, rgbx, stride);
            return JpegEncoder.Encode(rgbx, frame.Width, frame.Height, stride, quality, maxWidth, output, out width, out height);
        }
        finally
        {
            LargeArrayPool.Shared.Return(rgbx);
        }
    }

    /// <summary>Width and height from a JPEG's first SOFn marker.</summary>
    public static bool TryReadSize(ReadOnlySpan<byte> jpeg, out int width, out int height)
    {
        width = height = 0;
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
            return false;
        int offset = 2;
        while (offset + 9 < jpeg.Length)
        {
            if (jpeg[offset] != 0xFF)
            {
                offset++;
                continue;
            }
            byte marker = jpeg[offset + 1];
            if (marker == 0xFF)
            {
                offset++;
                continue;
            }
            if (marker is 0xD9 or 0xDA)
                return false;
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(offset + 2)..]);
            bool sof = marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC);
            if (sof && length >= 7)
            {
                height = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(offset + 5)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(offset + 7)..]);
                return width > 0 && height > 0;
            }
            if (length < 2)
                return false;
            offset += length + 2;
        }
        return false;
    }
}
