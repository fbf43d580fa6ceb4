using System.Diagnostics;
using ClawEdge.Capture.Audio;
using ClawEdge.Capture.Mp4;

namespace ClawEdge.Capture.Recording;

/// <summary>The audio track a recording holds.</summary>
/// <param name="Offset">Audio start less video start in the file (0 when the audio was captured first and trimmed to the video).</param>
/// <param name="Lost">Time lost to device overruns, filled with silence.</param>
/// <param name="EndedEarly">Why the audio stopped before the video (device lost), or null.</param>
/// <param name="StreamLead">How long before the first video frame the device's first sample was captured (what the file skips).</param>
public sealed record RecordedAudio(string Device, int Channels, TimeSpan Duration, TimeSpan Offset, int Overruns, TimeSpan Lost, string? EndedEarly,
    TimeSpan StreamLead)
{
    /// <summary>
    /// Stops <paramref name="audio"/> and gives its track to <paramref name="writer"/> (before <see cref="Mp4Writer.Finish"/>).
    /// <paramref name="videoTimeAtZero"/> maps the Stopwatch clock onto the video timestamps: video time = Stopwatch time + it.
    /// </summary>
    /// <paramref name="end"/> is the video's end, on the video clock: the audio is captured up to it.
    internal static void Attach(AudioCapture? audio, Mp4Writer writer, TimeSpan videoTimeAtZero, TimeSpan end)
    {
        if (audio is null)
            return;
        var track = audio.Stop(until: (long)((end - videoTimeAtZero).Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond)));
        if (track.Count > 0)
            writer.AddOpusTrack(track, StopwatchTime(track.FirstTimestamp) + videoTimeAtZero);
        else
            track.Dispose();
    }

    /// <summary>What the finished <paramref name="writer"/> holds of <paramref name="audio"/>, or null (then <paramref name="missing"/> says why).</summary>
    internal static RecordedAudio? Describe(AudioCapture? audio, Mp4Writer writer, TimeSpan end, TimeSpan videoTimeAtZero, out string? missing)
    {
        missing = null;
        if (audio is null)
            return null;
        if (!writer.HasAudio)
        {
            missing = audio.EndedEarly ?? $"audio device {audio.Device} delivered no samples during the recording";
            return null;
        }
        var offset = writer.AudioOffset;
        return new RecordedAudio(audio.Device, audio.Channels, writer.AudioDuration(end), offset > TimeSpan.Zero ? offset : TimeSpan.Zero,
            audio.Overruns, audio.Lost, audio.EndedEarly, writer.FirstTimestamp - (StopwatchTime(audio.StreamStart) + videoTimeAtZero));
    }

    internal static TimeSpan StopwatchTime(long timestamp) => TimeSpan.FromTicks((long)(timestamp * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency)));
}
