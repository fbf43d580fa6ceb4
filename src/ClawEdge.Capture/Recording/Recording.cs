using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Mp4;

namespace ClawEdge.Capture.Recording;

/// <summary>A finished recording: the MP4 (owned: dispose to give its buffers back) and what it holds.</summary>
public sealed class Recording(Mp4Writer file, string codec, string encoder, TimeSpan duration, string? endedEarly) : IDisposable
{
    public Mp4Writer File { get; } = file;

    /// <summary><c>h264</c> or <c>mjpeg</c>.</summary>
    public string Codec { get; } = codec;

    /// <summary><c>libx264</c>, <c>mjpeg</c>, <c>h264-passthrough</c>, ….</summary>
    public string Encoder { get; } = encoder;

    /// <summary>The file's real length (first frame to stop).</summary>
    public TimeSpan Duration { get; } = duration;

    public int Frames => File.SampleCount;

    /// <summary>Why the recording is shorter than asked (source lost, end of stream), or null.</summary>
    public string? EndedEarly { get; } = endedEarly;

    public void Dispose() => File.Dispose();
}

/// <summary>Limits that keep a recording inside the node's memory and the gateway's frame.</summary>
/// <param name="MaxMediaBytes">Sample bytes allowed (derived from the gateway's payload limit).</param>
public readonly record struct RecordingLimits(long MaxMediaBytes)
{
    /// <summary>Media bytes whose base64, plus <paramref name="reserve"/> chars of JSON around it, fits <paramref name="maxPayloadChars"/>.</summary>
    public static RecordingLimits ForPayload(int maxPayloadChars, int reserve = 4096) =>
        new(Math.Max(0, (long)(maxPayloadChars - reserve) / 4 * 3 - 64 * 1024));
}
