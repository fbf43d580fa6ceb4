using System.Globalization;
using System.Text.Json;
using ClawEdge.Capture.Audio;
using ClawEdge.Capture.Recording;

namespace ClawEdge.Media;

/// <summary>
/// The audio half of <c>camera.clip</c> and <c>screen.record</c>: on unless <c>includeAudio</c> is <c>false</c>, and a
/// clip never fails for want of it — a missing device, a busy one or a missing library gives a silent clip whose
/// result says why.
/// </summary>
public static class ClipAudio
{
    /// <summary>The device name that turns audio off.</summary>
    public const string Off = "none";

    /// <summary>The reference's default: a missing or non-boolean <c>includeAudio</c> means yes.</summary>
    public static bool Requested(JsonElement? includeAudio) => includeAudio is not { ValueKind: JsonValueKind.False };

    /// <summary>
    /// Starts capturing from <paramref name="device"/> for a recording of <paramref name="duration"/>, or returns null:
    /// with <paramref name="reason"/> when audio was wanted but cannot be had, without one when it was not asked for.
    /// </summary>
    public static AudioCapture? Start(bool requested, string? device, TimeSpan duration, out string? reason)
    {
        reason = null;
        if (!requested)
            return null;
        device = string.IsNullOrWhiteSpace(device) ? "default" : device.Trim();
        if (device == Off)
        {
            reason = "audio is off on this node (Audio:Device=none)";
            return null;
        }
        var capture = AudioCapture.TryStart(device, duration, out reason);
        // A device's first period comes within tens of milliseconds; one that takes longer starts after the video.
        capture?.WaitUntilCapturing(TimeSpan.FromMilliseconds(500));
        return capture;
    }

    /// <summary>The result members for the audio: <c>hasAudio</c>, and <c>audio</c> with the reason when there is none or it ended early.</summary>
    public static string Fields(Recording recording, bool requested, string? notStarted)
    {
        if (recording.Audio is not { } audio)
        {
            string? why = requested ? recording.AudioMissing ?? notStarted : null;
            return why is null ? "\"hasAudio\":false" : $"\"hasAudio\":false,\"audio\":{MediaPayload.Quote(why)}";
        }
        string fields = $"\"hasAudio\":true,\"audioCodec\":\"opus\",\"audioChannels\":{MediaPayload.Number(audio.Channels)}," +
            $"\"audioDurationMs\":{MediaPayload.Number((long)Math.Round(audio.Duration.TotalMilliseconds))}";
        if (audio.Overruns > 0)
            fields += $",\"audioOverruns\":{MediaPayload.Number(audio.Overruns)},\"audioLostMs\":{MediaPayload.Number((long)Math.Round(audio.Lost.TotalMilliseconds))}";
        if (audio.EndedEarly is { } ended)
            fields += $",\"audio\":{MediaPayload.Quote(ended)}";
        return fields;
    }

    /// <summary>One log line: where the audio came from and how it lines up with the video.</summary>
    public static string Describe(RecordedAudio audio) => string.Create(CultureInfo.InvariantCulture,
        $"audio from {audio.Device}: opus, {audio.Channels} ch, {audio.Duration.TotalMilliseconds:F0} ms, starts {audio.Offset.TotalMilliseconds:F0} ms after the video, " +
        $"stream began {audio.StreamLead.TotalMilliseconds:F1} ms before the first frame, {audio.Overruns} overrun(s), {audio.Lost.TotalMilliseconds:F0} ms lost");
}
