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
