using System.Runtime.InteropServices;

namespace ClawEdge.Capture.TestPattern;

/// <summary>
/// Paints test-pattern frames in RGBX32 or YUYV. Bar rows are rendered once (two periods wide) and each
/// frame copies a shifted slice per row, so a 1080p frame costs about one memcpy plus a few rectangles.
/// </summary>
public sealed class TestPatternPainter
{
    // Segments a..g (bit 0 = top, clockwise, bit 6 = middle) for 0–9.
    private static readonly byte[] Segments = [0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F];

    private readonly int _width, _height, _barsBottom;
    private readonly uint[] _movingRow;  // two periods of bars, pixels (RGBX) or macropixels (YUYV)
    private readonly uint[] _staticRow;

    public TestPatternPainter(int width, int height, PixelFormat format)
    {
        _width = width;
        _height = height;
        Format = format;
        _barsBottom = height * 3 / 4;
        int units = Units(width);
        _movingRow = new uint[units * 2];
        _staticRow = new uint[units];
        for (int u = 0; u < units * 2; u++)
            _movingRow[u] = Encode(TestPatternCamera.Bars[(Pixel(u) % width) * 8 / width]);
        for (int u = 0; u < units; u++)
            _staticRow[u] = Encode(TestPatternCamera.StaticBarAt(Pixel(u), width));
    }

    public PixelFormat Format { get; }

    private int Units(int pixels) => Format == PixelFormat.Yuyv ? pixels / 2 : pixels;
    private int Pixel(int unit) => Format == PixelFormat.Yuyv ? unit * 2 : unit;

    /// <summary>One storage unit of a colour: an RGBX pixel, or a YUYV macropixel (two pixels) in BT.601 limited range.</summary>
    public uint Encode((byte R, byte G, byte B) c)
    {
        if (Format != PixelFormat.Yuyv)
            return c.R | ((uint)c.G << 8) | ((uint)c.B << 16) | 0xFF000000u;
        var (y, u, v) = ToYuv(c);
        return y | ((uint)u << 8) | ((uint)y << 16) | ((uint)v << 24);
    }

    public static (byte Y, byte U, byte V) ToYuv((byte R, byte G, byte B) c)
    {
        int y = ((66 * c.R + 129 * c.G + 25 * c.B + 128) >> 8) + 16;
        int u = ((-38 * c.R - 74 * c.G + 112 * c.B + 128) >> 8) + 128;
        int v = ((112 * c.R - 94 * c.G - 18 * c.B + 128) >> 8) + 128;
        return ((byte)y, (byte)u, (byte)v);
    }

    public void Paint(Span<byte> frame, long sequence, long milliseconds)
    {
        var units = MemoryMarshal.Cast<byte, uint>(frame);
        int rowUnits = Units(_width);
        int shift = Units((int)(sequence * 4 % _width) & ~1);
        var moving = _movingRow.AsSpan(shift, rowUnits);
        for (int row = 0; row < _barsBottom; row++)
            moving.CopyTo(units.Slice(row * rowUnits, rowUnits));
        for (int row = _barsBottom; row < _height; row++)
            _staticRow.CopyTo(units.Slice(row * rowUnits, rowUnits));

        // The box bounces left and right across the moving bars.
        int box = Math.Max(8, _height / 6);
        int travel = Math.Max(1, _width - box);
        int position = (int)(sequence * 8 % (2 * travel));
        int boxX = position < travel ? position : 2 * travel - position;
        Fill(units, boxX, _height / 3, box, box, Encode(TestPatternCamera.BoxColour));

        // Frame number and milliseconds, white on black, top left.
        int digitHeight = Math.Max(10, _height / 16);
        int digitWidth = digitHeight / 2, gap = Math.Max(2, digitHeight / 5), thick = Math.Max(2, digitHeight / 8);
        int margin = gap;
        Fill(units, 0, 0, margin * 2 + 8 * (digitWidth + gap), margin * 3 + 2 * digitHeight, Encode((0, 0, 0)));
        DrawNumber(units, margin, margin, sequence % 100_000_000, digitWidth, digitHeight, thick, gap);
        DrawNumber(units, margin, margin * 2 + digitHeight, milliseconds % 100_000_000, digitWidth, digitHeight, thick, gap);
    }

    private void DrawNumber(Span<uint> units, int x, int y, long value, int w, int h, int t, int gap)
    {
        uint white = Encode((255, 255, 255));
        for (int i = 7; i >= 0; i--)
        {
            int digit = (int)(value % 10);
            value /= 10;
            int dx = x + i * (w + gap);
            int s = Segments[digit];
            if ((s & 0x01) != 0) Fill(units, dx, y, w, t, white);
            if ((s & 0x02) != 0) Fill(units, dx + w - t, y, t, h / 2, white);
            if ((s & 0x04) != 0) Fill(units, dx + w - t, y + h / 2, t, h - h / 2, white);
            if ((s & 0x08) != 0) Fill(units, dx, y + h - t, w, t, white);
            if ((s & 0x10) != 0) Fill(units, dx, y + h / 2, t, h - h / 2, white);
            if ((s & 0x20) != 0) Fill(units, dx, y, t, h / 2, white);
            if ((s & 0x40) != 0) Fill(units, dx, y + (h - t) / 2, w, t, white);
        }
    }

    /// <summary>A rectangle in pixels, clipped; in YUYV its x edges snap to macropixels.</summary>
    private void Fill(Span<uint> units, int x, int y, int w, int h, uint value)
    {
        int x0 = Math.Clamp(x, 0, _width), x1 = Math.Clamp(x + w, 0, _width);
        int y0 = Math.Clamp(y, 0, _height), y1 = Math.Clamp(y + h, 0, _height);
        int u0 = Units(x0), u1 = Math.Max(u0 + (x1 > x0 ? 1 : 0), Units(x1));
        int rowUnits = Units(_width);
        for (int row = y0; row < y1; row++)
            units.Slice(row * rowUnits + u0, u1 - u0).Fill(value);
    }
}
