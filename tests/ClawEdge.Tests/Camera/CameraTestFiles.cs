using System.Text;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Camera;

/// <summary>Decoding through real tools outside .NET: libjpeg-turbo's djpeg writes a PPM we read back.</summary>
internal static class CameraTestFiles
{
    public sealed record Ppm(int Width, int Height, byte[] Rgb)
    {
        public (int R, int G, int B) At(int x, int y)
        {
            int i = (y * Width + x) * 3;
            return (Rgb[i], Rgb[i + 1], Rgb[i + 2]);
        }
    }

    public static async Task<Ppm> DjpegAsync(string jpegPath)
    {
        string ppm = jpegPath + ".ppm";
        var (code, output) = await ChildProcess.RunAsync("djpeg", ["-ppm", "-outfile", ppm, jpegPath]);
        if (code != 0)
            throw new InvalidOperationException($"djpeg failed on {jpegPath} ({code}): {output}");
        var data = await File.ReadAllBytesAsync(ppm);
        File.Delete(ppm);
        // "P6\n<w> <h>\n255\n" then RGB bytes
        int at = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)data[at])) at++;
            int start = at;
            while (!char.IsWhiteSpace((char)data[at])) at++;
            return Encoding.ASCII.GetString(data, start, at - start);
        }
        if (Token() != "P6")
            throw new InvalidOperationException("not a P6 PPM");
        int w = int.Parse(Token()), h = int.Parse(Token());
        Token();
        at++;
        return new Ppm(w, h, data[at..]);
    }

    public static bool Near((int R, int G, int B) actual, (byte R, byte G, byte B) expected, int tolerance = 24) =>
        Math.Abs(actual.R - expected.R) <= tolerance && Math.Abs(actual.G - expected.G) <= tolerance && Math.Abs(actual.B - expected.B) <= tolerance;
}
