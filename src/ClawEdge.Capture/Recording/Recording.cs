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

    /// <summary>The audio track, or null when the file has none.</summary>
    public RecordedAudio? Audio { get; init; }

    /// <summary>Why audio was asked for but the file has none (the device delivered nothing, or went away at once).</summary>
    public string? AudioMissing { get; init; }

    public void Dispose() => File.Dispose();
}

/// <summary>Limits that keep a recording inside the node's memory and the gateway's frame.</summary>
/// <param name="MaxFileBytes">Size of the finished MP4 allowed, header included (the caller derives it from its payload budget).</param>
public readonly record struct RecordingLimits(long MaxFileBytes)
{
    /// <summary>Sample bytes allowed when the sample tables hold <paramref name="maxSamples"/>: what the header cannot take.</summary>
    public long MaxMediaBytes(int maxSamples) => Math.Max(0, MaxFileBytes - Mp4Writer.MaxHeaderBytes(maxSamples));
}
