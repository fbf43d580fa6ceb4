using System.Buffers.Binary;

namespace ClawEdge.Canvas;

/// <summary>Width and height of a base64 PNG or JPEG from its header, without decoding the pixels.</summary>
public static class ImageSize
{
    public static (int Width, int Height) Read(string base64)
    {
        // The PNG IHDR is in the first 24 bytes; a JPEG's SOF follows its tables, within a few KB.
        int take = Math.Min(base64.Length, 8192) / 4 * 4;
        byte[] head = Convert.FromBase64String(base64[..take]);
        if (head.Length >= 24 && head[0] == 0x89 && head[1] == (byte)'P' && head[2] == (byte)'N' && head[3] == (byte)'G')
            return (BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(20)));
        if (Capture.Jpeg.FrameJpeg.TryReadSize(head, out int w, out int h))
            return (w, h);
        if (take < base64.Length && Capture.Jpeg.FrameJpeg.TryReadSize(Convert.FromBase64String(base64), out w, out h))
            return (w, h);
        return (0, 0);
    }
}
