namespace ClawEdge.Capture;

/// <summary>Frame layouts we capture or produce. Values are the V4L2 fourcc codes where one exists.</summary>
public enum PixelFormat : uint
{
    Unknown = 0,
    Yuyv = 0x56595559,   // 'YUYV' packed 4:2:2
    Uyvy = 0x59565955,   // 'UYVY'
    Nv12 = 0x3231564E,   // 'NV12' Y plane + interleaved UV, 4:2:0
    Rgb24 = 0x33424752,  // 'RGB3'
    Bgr24 = 0x33524742,  // 'BGR3'
    Rgbx32 = 0x34424752, // 'RGB4'-style 4 bytes per pixel R,G,B,X: what the JPEG encoder takes
    Bgrx32 = 0x34524742, // 'BGR4' B,G,R,X (X11 ZPixmap on little-endian)
    Mjpeg = 0x47504A4D,  // 'MJPG'
    Jpeg = 0x4745504A,   // 'JPEG'
    H264 = 0x34363248,   // 'H264'
}

public static class PixelFormats
{
    public static string FourCc(this PixelFormat format)
    {
        uint v = (uint)format;
        return string.Create(4, v, static (span, x) =>
        {
            for (int i = 0; i < 4; i++)
                span[i] = (char)((x >> (8 * i)) & 0xFF);
        });
    }

    public static bool IsCompressed(this PixelFormat format) => format is PixelFormat.Mjpeg or PixelFormat.Jpeg or PixelFormat.H264;

    /// <summary>Bytes in one full frame of an uncompressed format with tightly packed rows, or 0 when compressed.</summary>
    public static int FrameBytes(this PixelFormat format, int width, int height) => format switch
    {
        PixelFormat.Yuyv or PixelFormat.Uyvy => width * height * 2,
        PixelFormat.Nv12 => width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2),
        PixelFormat.Rgb24 or PixelFormat.Bgr24 => width * height * 3,
        PixelFormat.Rgbx32 or PixelFormat.Bgrx32 => width * height * 4,
        _ => 0,
    };
}
