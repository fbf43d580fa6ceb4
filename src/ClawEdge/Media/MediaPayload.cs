using System.Globalization;
using System.Text;
using ClawEdge.Capture.Recording;
using ClawEdge.Host;

namespace ClawEdge.Media;

/// <summary>
/// The result of a recording command as a <see cref="Base64Payload"/>: the MP4 stays in its pooled chunks and the
/// session base64-encodes it into the frame as it sends it, so a clip costs its file size once, not a byte copy,
/// a base64 string and an escaped JSON copy of it (each ~27 MB for a 20 MB clip, on a board with 512 MB).
/// </summary>
public static class MediaPayload
{
    /// <summary>JSON room kept beside the base64 for the clip's fields (codec, encoder, device id, …), escaped.</summary>
    public const int FieldsReserve = 4096;

    /// <summary>The file size a recording may reach so that its result fits <paramref name="maxPayloadBytes"/>.</summary>
    public static RecordingLimits LimitsFor(int maxPayloadBytes) => new(PayloadBudget.Base64Capacity(maxPayloadBytes, FieldsReserve));

    /// <summary>Takes over <paramref name="recording"/>: the payload disposes it once sent.</summary>
    /// <param name="fields">Extra JSON members after <c>base64</c>, already formatted (<c>"durationMs":3000,…</c>).</param>
    public static Base64Payload Build(Recording recording, string fields) =>
        new("{\"format\":\"mp4\",\"base64\":\"", recording.File.AsSequence(), "\"," + fields + "}", recording);

    /// <summary>
    /// The result of a recording command: the members every clip reports (duration, audio, codec, encoder,
    /// frames, size), the command's own <paramref name="extraFields"/>, and <c>endedEarly</c> when the source went away.
    /// Takes over <paramref name="recording"/>.
    /// </summary>
    /// <param name="audioFields">From <see cref="ClipAudio.Fields"/>; null: <c>hasAudio: false</c>.</param>
    public static Base64Payload Result(Recording recording, long requestedMs, int width, int height, string extraFields, string command,
        string? audioFields = null)
    {
        if (recording.EndedEarly is { } reason)
            Logging.Log.Warn($"{command} ended after {recording.Duration.TotalMilliseconds:F0} ms: {reason}");
        // The clamped request, as the reference reports it; the real length when the source went away.
        long durationMs = recording.EndedEarly is null ? requestedMs : (long)Math.Round(recording.Duration.TotalMilliseconds);
        string fields =
            $"\"durationMs\":{Number(durationMs)},{audioFields ?? "\"hasAudio\":false"},\"codec\":{Quote(recording.Codec)}," +
            $"\"encoder\":{Quote(recording.Encoder)},\"frames\":{Number(recording.Frames)}," +
            $"\"width\":{Number(width)},\"height\":{Number(height)},{extraFields}";
        if (recording.EndedEarly is not null)
            fields += ",\"endedEarly\":true";
        return Build(recording, fields);
    }

    /// <summary>What a recording that outgrew <see cref="LimitsFor"/> answers: PAYLOAD_TOO_LARGE, saying how to fit.</summary>
    public static CommandException TooLarge(string what, int maxPayloadBytes, string advice) =>
        new(ErrorCodes.PayloadTooLarge, $"{what} exceeds the gateway's {maxPayloadBytes}-byte payload limit; {advice}");

    /// <summary>A JSON string literal for a plain ASCII value (codec and encoder names); anything else is dropped.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
            if (c is >= ' ' and < (char)127 and not '"' and not '\\')
                builder.Append(c);
        return builder.Append('"').ToString();
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
