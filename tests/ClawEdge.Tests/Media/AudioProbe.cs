using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Media;

/// <summary>One stream of an MP4 as ffprobe reports it.</summary>
public sealed record StreamProbe(string Type, string Codec, double Start, double Duration, int Channels);

/// <summary>
/// A known tone as a real libasound device, and what FFmpeg decodes of it. The host has no sound card: the device is
/// ALSA's own <c>file</c> plugin over a <c>null</c> slave, reading its samples from <see cref="ToneFile"/>, declared in a
/// configuration the node is pointed at with <c>ALSA_CONFIG_PATH</c> (which libasound reads instead of the system's).
/// </summary>
public sealed class ToneDevice : IDisposable
{
    public const string Name = "tone";

    /// <summary>1 kHz until here, then silence.</summary>
    public const double ToneEnds = 2.0;

    /// <summary>440 Hz from here to the end of the file.</summary>
    public const double SecondToneStarts = 2.5;

    public const double Length = 6.0;

    private ToneDevice(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }
    public string ConfigPath => Path.Combine(Directory, "asound.conf");
    public string ToneFile => Path.Combine(Directory, "tone.s16");

    public static ToneDevice Create()
    {
        var device = new ToneDevice(Tools.TempDir("tone"));
        File.WriteAllBytes(device.ToneFile, S16(Length, t => t < ToneEnds ? Math.Sin(2 * Math.PI * 1000 * t)
            : t < SecondToneStarts ? 0
            : Math.Sin(2 * Math.PI * 440 * t)));
        // Self-contained: the null slave is declared inline, so nothing of the system's alsa.conf is needed.
        File.WriteAllText(device.ConfigPath, $$"""
            pcm.{{Name}} {
                type file
                slave.pcm { type null }
                file "/dev/null"
                infile "{{device.ToneFile}}"
                format "raw"
            }
            """);
        return device;
    }

    /// <summary><paramref name="wave"/> (−1..1 at time t in s) as raw 16-bit little-endian mono at 48 kHz, at 12 000 peak.</summary>
    public static byte[] S16(double seconds, Func<double, double> wave)
    {
        const int rate = 48_000;
        var bytes = new byte[(int)(seconds * rate) * 2];
        for (int i = 0; i < bytes.Length / 2; i++)
        {
            short s = (short)Math.Round(wave(i / (double)rate) * 12_000);
            bytes[2 * i] = (byte)s;
            bytes[2 * i + 1] = (byte)(s >> 8);
        }
        return bytes;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

public static class AudioProbe
{
    public static async Task<List<StreamProbe>> StreamsAsync(string path)
    {
        var (code, output) = await ChildProcess.RunAsync("ffprobe", ["-v", "error",
            "-show_entries", "stream=codec_type,codec_name,start_time,duration,channels", "-of", "json", path]);
        if (code != 0)
            throw new InvalidOperationException($"ffprobe rejected {path}: {output}");
        var json = JsonNode.Parse(output[output.IndexOf('{')..])!;
        return json["streams"]!.AsArray().Select(s => new StreamProbe((string)s!["codec_type"]!, (string)s["codec_name"]!,
            Number(s["start_time"]), Number(s["duration"]), s["channels"] is { } c ? (int)c : 0)).ToList();
    }

    private static double Number(JsonNode? value) =>
        value is null ? double.NaN : double.Parse((string)value!, CultureInfo.InvariantCulture);

    /// <summary>The audio as FFmpeg plays it, mono 48 kHz, sample 0 at file time 0 (a late start is padded with silence).</summary>
    public static async Task<short[]> DecodeAudioAsync(string path)
    {
        string raw = Path.Combine(Path.GetTempPath(), $"ce-audio-{Guid.NewGuid():N}.s16");
        try
        {
            var (code, output) = await ChildProcess.RunAsync("ffmpeg", ["-v", "error", "-nostdin", "-i", path, "-map", "0:a",
                "-af", "aresample=async=1:first_pts=0", "-ac", "1", "-ar", "48000", "-f", "s16le", "-y", raw]);
            if (code != 0)
                throw new InvalidOperationException($"ffmpeg could not decode the audio: {output}");
            var bytes = await File.ReadAllBytesAsync(raw);
            var samples = new short[bytes.Length / 2];
            Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
            return samples;
        }
        finally
        {
            File.Delete(raw);
        }
    }

    /// <summary>Power of <paramref name="frequency"/> in a window (Goertzel), normalised to the window's length.</summary>
    public static double Power(ReadOnlySpan<short> window, double frequency, int rate = 48_000)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * frequency / rate);
        double s1 = 0, s2 = 0;
        foreach (short x in window)
        {
            double s0 = x / 32768.0 + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / (window.Length * window.Length);
    }

    /// <summary>What each 10 ms window (stepped by 5 ms) holds: 'k' 1 kHz, 'a' 440 Hz, '.' quiet, '?' anything else.</summary>
    public static string Timeline(short[] samples)
    {
        const int window = 480, step = 240;
        var chars = new System.Text.StringBuilder();
        for (int at = 0; at + window <= samples.Length; at += step)
        {
            var span = samples.AsSpan(at, window);
            double k = Power(span, 1000), a = Power(span, 440);
            double energy = 0;
            foreach (short x in span)
                energy += x / 32768.0 * (x / 32768.0);
            energy /= window;
            // A pure tone of amplitude A has energy A²/2 and Goertzel power about A²/4.
            chars.Append(energy < 1e-5 ? '.' : k > energy / 4 ? 'k' : a > energy / 4 ? 'a' : '?');
        }
        return chars.ToString();
    }

    /// <summary>Time (s, window centre) of the first window of <paramref name="kind"/> after <paramref name="from"/> s.</summary>
    public static double FirstAfter(string timeline, char kind, double from)
    {
        for (int i = (int)Math.Max(0, from / 0.005); i < timeline.Length; i++)
            if (timeline[i] == kind)
                return i * 0.005 + 0.005;
        return double.NaN;
    }

    /// <summary>Time (s, window centre) where the run of <paramref name="kind"/> that holds <paramref name="inside"/> s ends.</summary>
    public static double RunEnd(string timeline, char kind, double inside)
    {
        int i = (int)(inside / 0.005);
        if (i >= timeline.Length || timeline[i] != kind)
            return double.NaN;
        while (i + 1 < timeline.Length && timeline[i + 1] == kind)
            i++;
        return i * 0.005 + 0.005;
    }

    /// <summary>How long before the first frame the tone's stream began, as the node measured and logged it (s).</summary>
    public static async Task<double> LoggedLeadAsync(EdgeNode node, int fromLine)
    {
        string line = await node.Process.WaitForLineAsync("stream began ", TimeSpan.FromSeconds(10), fromLine);
        return double.Parse(Regex.Match(line, @"stream began (-?[\d.]+) ms").Groups[1].Value, CultureInfo.InvariantCulture) / 1000;
    }

    /// <summary>
    /// A recording of the <see cref="ToneDevice"/>: H.264 and Opus, each <paramref name="seconds"/> long within 50 ms and
    /// within 40 ms of each other, starting within 20 ms of each other, decoding cleanly, with the tone's edges at their
    /// times (less <paramref name="lead"/>, the stream's start before the first frame) within 40 ms.
    /// </summary>
    public static async Task AssertToneClipAsync(string path, double seconds, double lead)
    {
        var streams = await StreamsAsync(path);
        await Assert.That(string.Join(',', streams.Select(s => s.Codec))).IsEqualTo("h264,opus");
        var (video, audio) = (streams[0], streams[1]);
        Console.WriteLine($"{path}: video {video.Start:F3}+{video.Duration:F3} s, audio {audio.Start:F3}+{audio.Duration:F3} s");
        await Assert.That(video.Duration).IsEqualTo(seconds).Within(0.05);
        await Assert.That(audio.Duration).IsEqualTo(seconds).Within(0.05);
        await Assert.That(Math.Abs(audio.Duration - video.Duration)).IsLessThan(0.04);
        await Assert.That(Math.Abs(audio.Start - video.Start)).IsLessThan(0.02);
        await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();

        var timeline = Timeline(await DecodeAudioAsync(path));
        double toneEnds = RunEnd(timeline, 'k', 1.0);
        double secondStarts = FirstAfter(timeline, 'a', toneEnds);
        string why = $"lead {lead * 1000:F1} ms, 1 kHz ends {toneEnds:F3} s, 440 Hz starts {secondStarts:F3} s; " +
            $"timeline (5 ms steps) from 1.9 s: {timeline[Math.Min(380, timeline.Length)..Math.Min(520, timeline.Length)]}";
        Console.WriteLine(why);
        await Assert.That(toneEnds).IsEqualTo(ToneDevice.ToneEnds - lead).Within(0.04).Because(why);
        await Assert.That(secondStarts).IsEqualTo(ToneDevice.SecondToneStarts - lead).Within(0.04).Because(why);
        await Assert.That(timeline[..(int)((toneEnds - 0.05) / 0.005)].Trim('k')).IsEmpty().Because("1 kHz throughout the first part: " + why);
    }
}
