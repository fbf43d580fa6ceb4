using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using ClawEdge.Gateway;

namespace ClawEdge.Host;

/// <summary>
/// The <c>node.invoke.result</c> request frame for a <see cref="Base64Payload"/>, produced piece by piece into
/// whatever buffer the sender hands over: the envelope and the escaped head, then the base64 of the bytes written
/// straight from their chunks with <see cref="Base64.EncodeToUtf8"/>, then the escaped tail and the closing braces.
/// The bytes are exactly those the serializer writes for the same frame with the payload as one string (the
/// escaping of the head and the tail does not depend on what lies between them, and base64 needs none), without
/// the string, its escaped copy or a buffer that grows by doubling.
/// <para>
/// A long head (a plain result of MBs, e.g. system.run's output escaped as JSON, with no bytes after it) is not
/// copied into the prefix either: it is escaped slice by slice through a small pooled staging buffer, so a frame of
/// any size costs the fragment buffer and a few KiB here.
/// </para>
/// </summary>
internal sealed class InvokeResultFrame
{
    /// <summary>Heads up to this many chars are escaped once into the prefix; longer ones in slices.</summary>
    private const int InlineHeadChars = 8192;
    private const int SliceChars = 2048;

    private readonly byte[] _prefix;
    private readonly byte[] _suffix;
    private readonly string? _longHead;
    private ReadOnlySequence<byte> _rest;
    private int _prefixSent, _suffixSent, _headAt;
    private char[]? _escaped;
    private byte[]? _staged;
    private int _stagedAt, _stagedEnd;

    public InvokeResultFrame(string requestId, string invokeId, string nodeId, Base64Payload payload)
    {
        RequestId = requestId;
        bool inline = payload.Head.Length <= InlineHeadChars;
        _prefix = Prefix(requestId, invokeId, nodeId, inline ? payload.Head : "");
        _longHead = inline ? null : payload.Head;
        _suffix = Suffix(payload.Tail);
        _rest = payload.Bytes;
        Length = _prefix.Length + (inline ? 0 : PayloadBudget.EscapedLength(payload.Head)) + payload.Base64Length + _suffix.Length;
    }

    /// <summary>A plain result (<paramref name="payloadJson"/> as it is): the frame the serializer would write, in pieces.</summary>
    public InvokeResultFrame(string requestId, string invokeId, string nodeId, string payloadJson)
        : this(requestId, invokeId, nodeId, new Base64Payload(payloadJson, ReadOnlySequence<byte>.Empty, ""))
    {
    }

    public string RequestId { get; }

    /// <summary>The whole frame's size in bytes, known before the first byte is produced.</summary>
    public long Length { get; }

    /// <summary>Bytes of the frame around an empty <c>payloadJSON</c> (its two quotes included).</summary>
    public static int EnvelopeLength(string requestId, string invokeId, string nodeId) =>
        Prefix(requestId, invokeId, nodeId, "").Length + Suffix("").Length;

    /// <summary>Writes the next bytes of the frame; returns how many (0 once the frame is complete).</summary>
    /// <param name="destination">At least 4 bytes, so one base64 quantum always fits.</param>
    public int Fill(Span<byte> destination)
    {
        if (destination.Length < 4)
            throw new ArgumentException("a frame piece needs room for at least 4 bytes", nameof(destination));
        int written = Copy(_prefix, ref _prefixSent, ref destination);
        if (_prefixSent == _prefix.Length && _longHead is not null)
            written += EscapeHead(ref destination);
        bool headDone = _prefixSent == _prefix.Length && HeadDone;
        while (headDone && !_rest.IsEmpty && destination.Length >= 4)
            written += EncodeNext(ref destination);
        if (headDone && _rest.IsEmpty)
            written += Copy(_suffix, ref _suffixSent, ref destination);
        return written;
    }

    private bool HeadDone => _longHead is null || (_headAt == _longHead.Length && _stagedAt == _stagedEnd);

    // The head's escaped UTF-8, a slice at a time: escape up to SliceChars into chars, transcode them into the staging
    // bytes, copy out as much as the destination takes. The encoder never splits an escape or a surrogate pair, and
    // the slices end only where its output is full, so the bytes are those of one escape of the whole head.
    private int EscapeHead(ref Span<byte> destination)
    {
        int written = 0;
        while (!destination.IsEmpty && !HeadDone)
        {
            if (_stagedAt == _stagedEnd)
            {
                _escaped ??= ArrayPool<char>.Shared.Rent(SliceChars);
                _staged ??= ArrayPool<byte>.Shared.Rent(SliceChars * 3);
                System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(
                    _longHead.AsSpan(_headAt), _escaped.AsSpan(0, SliceChars), out int consumed, out int chars, isFinalBlock: true);
                if (consumed == 0)
                    throw new InvalidOperationException("the head's escape made no progress");
                _headAt += consumed;
                _stagedAt = 0;
                _stagedEnd = System.Text.Encoding.UTF8.GetBytes(_escaped.AsSpan(0, chars), _staged);
            }
            written += Copy(_staged!, ref _stagedAt, _stagedEnd, ref destination);
        }
        if (HeadDone && _escaped is not null)
        {
            ArrayPool<char>.Shared.Return(_escaped);
            ArrayPool<byte>.Shared.Return(_staged!);
            _escaped = null;
            _staged = null;
        }
        return written;
    }

    private static int Copy(byte[] part, ref int sent, int end, ref Span<byte> destination)
    {
        int n = Math.Min(end - sent, destination.Length);
        part.AsSpan(sent, n).CopyTo(destination);
        sent += n;
        destination = destination[n..];
        return n;
    }

    private static int Copy(byte[] part, ref int sent, ref Span<byte> destination) => Copy(part, ref sent, part.Length, ref destination);

    // Whole 3-byte groups straight from the current chunk; a group that straddles two chunks goes through 3 bytes of stack.
    private int EncodeNext(ref Span<byte> destination)
    {
        int room = destination.Length / 4 * 3;
        var chunk = _rest.FirstSpan;
        int consumed, written;
        if (chunk.Length >= 3 || _rest.IsSingleSegment)
        {
            int take = Math.Min(chunk.Length, room);
            bool final = take == _rest.Length;
            if (!final)
                take -= take % 3;
            Base64.EncodeToUtf8(chunk[..take], destination, out consumed, out written, isFinalBlock: final);
        }
        else
        {
            Span<byte> group = stackalloc byte[3];
            int take = (int)Math.Min(3, _rest.Length);
            _rest.Slice(0, take).CopyTo(group);
            Base64.EncodeToUtf8(group[..take], destination, out consumed, out written, isFinalBlock: true);
        }
        _rest = _rest.Slice(consumed);
        destination = destination[written..];
        return written;
    }

    // `{"type":"req","id":…,"method":"node.invoke.result","params":{"id":…,"nodeId":…,"ok":true,"payloadJSON":"<head>`:
    // the writer escapes the ids and the head exactly as the serializer would; the string's closing quote is cut off.
    private static byte[] Prefix(string requestId, string invokeId, string nodeId, string head)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + head.Length);
        using (var writer = new Utf8JsonWriter(buffer, GatewayConnection.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "req");
            writer.WriteString("id", requestId);
            writer.WriteString("method", "node.invoke.result");
            writer.WriteStartObject("params");
            writer.WriteString("id", invokeId);
            writer.WriteString("nodeId", nodeId);
            writer.WriteBoolean("ok", true);
            writer.WriteString("payloadJSON", head);
        }
        return buffer.WrittenSpan[..^1].ToArray();
    }

    // `<tail>"}}`: the tail escaped as a string value whose opening quote is cut off.
    private static byte[] Suffix(string tail)
    {
        var buffer = new ArrayBufferWriter<byte>(16 + tail.Length);
        using (var writer = new Utf8JsonWriter(buffer, GatewayConnection.WriterOptions))
            writer.WriteStringValue(tail);
        var suffix = new byte[buffer.WrittenCount - 1 + 2];
        buffer.WrittenSpan[1..].CopyTo(suffix);
        suffix[^2] = (byte)'}';
        suffix[^1] = (byte)'}';
        return suffix;
    }
}
