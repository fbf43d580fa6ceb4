using System.Globalization;
using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Media;

/// <summary>What FFmpeg (the strict external validator) says about an MP4 file.</summary>
public sealed record ProbeResult(string Codec, int Width, int Height, int Frames, double Duration, double[] PacketDurations);

public static class MediaProbe
{
    /// <summary>Writes a result's <c>base64</c> MP4 to a temp file for ffprobe/ffmpeg; the caller deletes it.</summary>
    public static async Task<string> SaveBase64Async(System.Text.Json.Nodes.JsonNode payload)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ce-media-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(path, Convert.FromBase64String((string)payload["base64"]!));
        return path;
    }

    public static async Task<ProbeResult> ProbeAsync(string path)
    {
        var (code, output) = await ChildProcess.RunAsync("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,nb_read_frames:format=duration:packet=duration_time", "-of", "json", path]);
        if (code != 0)
            throw new InvalidOperationException($"ffprobe rejected {path}: {output}");
        var json = JsonNode.Parse(output[output.IndexOf('{')..])!;
        var stream = json["streams"]![0]!;
        var packets = json["packets"]!.AsArray().Select(p => double.Parse((string)p!["duration_time"]!, CultureInfo.InvariantCulture)).ToArray();
        return new ProbeResult((string)stream["codec_name"]!, (int)stream["width"]!, (int)stream["height"]!,
            int.Parse((string)stream["nb_read_frames"]!, CultureInfo.InvariantCulture),
            double.Parse((string)json["format"]!["duration"]!, CultureInfo.InvariantCulture), packets);
    }

    /// <summary>Decodes every frame; returns FFmpeg's complaints (empty when the file is clean).</summary>
    /// <remarks>
    /// <c>-enc_time_base -1</c> keeps the file's own 90 kHz timestamps through FFmpeg's null output. Without it FFmpeg
    /// rounds them to 1/average-rate, and two frames captured closer than that (a loaded machine's jitter: a 60 s clip
    /// in a fresh-clone run) collide into "non monotonically increasing dts" of its own making, though the file's
    /// own sample durations are all positive.
    /// </remarks>
    public static async Task<string> DecodeErrorsAsync(string path)
    {
        var (code, output) = await ChildProcess.RunAsync("ffmpeg", ["-v", "error", "-nostdin", "-i", path, "-enc_time_base", "-1", "-f", "null", "-"]);
        return code == 0 ? output.Trim() : $"exit {code}: {output}";
    }

    /// <summary>RGB of the pixel at (x, y) of the frame shown at <paramref name="seconds"/>, decoded by FFmpeg to PPM.</summary>
    public static async Task<(int R, int G, int B)> PixelAsync(string path, double seconds, int x, int y)
    {
        string ppm = Path.Combine(Path.GetTempPath(), $"ce-frame-{Guid.NewGuid():N}.ppm");
        try
        {
            var (code, output) = await ChildProcess.RunAsync("ffmpeg", ["-v", "error", "-nostdin", "-ss", seconds.ToString(CultureInfo.InvariantCulture),
                "-i", path, "-frames:v", "1", "-pix_fmt", "rgb24", "-f", "image2", "-c:v", "ppm", "-y", ppm]);
            if (code != 0)
                throw new InvalidOperationException($"ffmpeg could not decode a frame: {output}");
            var bytes = await File.ReadAllBytesAsync(ppm);
            // P6\n<w> <h>\n255\n then RGB triples.
            int at = 0, fields = 0;
            var values = new int[3];
            while (fields < 4)
            {
                while (char.IsWhiteSpace((char)bytes[at])) at++;
                int start = at;
                while (!char.IsWhiteSpace((char)bytes[at])) at++;
                if (fields > 0)
                    values[fields - 1] = int.Parse(System.Text.Encoding.ASCII.GetString(bytes, start, at - start), CultureInfo.InvariantCulture);
                fields++;
            }
            at++;
            int offset = at + (y * values[0] + x) * 3;
            return (bytes[offset], bytes[offset + 1], bytes[offset + 2]);
        }
        finally
        {
            File.Delete(ppm);
        }
    }
}
