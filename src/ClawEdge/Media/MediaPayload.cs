using System.Globalization;
using System.Text;
using ClawEdge.Capture.Recording;
using ClawEdge.Host;

namespace ClawEdge.Media;

/// <summary>
/// Builds a clip's result JSON in one string, base64 written straight from the MP4's pooled chunks: a 20 MB
/// clip costs one ~27 M-char string, not a byte copy, a base64 string and a JSON copy of it (on a 512 MB
/// board each of those is 50 MB). The size is checked against the gateway's limit before anything is built.
/// </summary>
public static class MediaPayload
{
    /// <param name="fields">Extra JSON members after <c>base64</c>, already formatted (<c>"durationMs":3000,…</c>): numbers, booleans and plain ASCII strings only.</param>
    public static string Build(Recording recording, string fields, int maxPayloadBytes, string command)
    {
        const string prefix = "{\"format\":\"mp4\",\"base64\":\"";
        long base64 = recording.File.Base64Length;
        long total = prefix.Length + base64 + 2 + fields.Length + 1;
        if (total > maxPayloadBytes)
            throw new CommandException(ErrorCodes.PayloadTooLarge,
                $"{command}: the clip is {recording.File.Length} bytes ({total} as JSON); the gateway accepts at most {maxPayloadBytes}");
        return string.Create((int)total, (recording, fields), static (span, state) =>
        {
            prefix.CopyTo(span);
            int at = prefix.Length;
            int length = (int)state.recording.File.Base64Length;
            state.recording.File.ToBase64(span.Slice(at, length));
            at += length;
            span[at++] = '"';
            span[at++] = ',';
            state.fields.CopyTo(span[at..]);
            at += state.fields.Length;
            span[at] = '}';
        });
    }

    /// <summary>
    /// The result of a recording command: the members every clip reports (duration, audio, codec, encoder,
    /// frames, size), the command's own <paramref name="extraFields"/>, and <c>endedEarly</c> when the source went away.
    /// </summary>
    public static string Result(Recording recording, long requestedMs, int width, int height, string extraFields, int maxPayloadBytes, string command)
    {
        if (recording.EndedEarly is { } reason)
            Logging.Log.Warn($"{command} ended after {recording.Duration.TotalMilliseconds:F0} ms: {reason}");
        // The clamped request, as the reference reports it; the real length when the source went away.
        long durationMs = recording.EndedEarly is null ? requestedMs : (long)Math.Round(recording.Duration.TotalMilliseconds);
        string fields =
            $"\"durationMs\":{Number(durationMs)},\"hasAudio\":false,\"codec\":{Quote(recording.Codec)}," +
            $"\"encoder\":{Quote(recording.Encoder)},\"frames\":{Number(recording.Frames)}," +
            $"\"width\":{Number(width)},\"height\":{Number(height)},{extraFields}";
        if (recording.EndedEarly is not null)
            fields += ",\"endedEarly\":true";
        return Build(recording, fields, maxPayloadBytes, command);
    }

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
