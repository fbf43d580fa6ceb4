using System.Buffers;

namespace ClawEdge.Host;

/// <summary>
/// A <c>payloadJSON</c> of the form <see cref="Head"/> + base64(<see cref="Bytes"/>) + <see cref="Tail"/> — a JPEG
/// or an MP4 with the fields around it — that is never built as a string: the session base64-encodes the bytes
/// straight into the result frame as it sends it. Owns the storage behind <see cref="Bytes"/> (through
/// <paramref name="owner"/>) until disposed; the session disposes it once the frame is sent or refused.
/// </summary>
/// <param name="head">JSON up to and including the quote that opens the base64 string, e.g. <c>{"format":"jpg","base64":"</c>.</param>
/// <param name="tail">JSON from the quote that closes it, e.g. <c>","width":640,"height":480}</c>.</param>
public sealed class Base64Payload(string head, ReadOnlySequence<byte> bytes, string tail, IDisposable? owner = null) : IDisposable
{
    public string Head { get; } = head;
    public ReadOnlySequence<byte> Bytes { get; } = bytes;
    public string Tail { get; } = tail;

    public long Base64Length => (Bytes.Length + 2) / 3 * 4;

    /// <summary>What it costs inside the frame: head and tail escaped, the base64 as it is (its alphabet needs no escaping).</summary>
    public long EscapedLength => PayloadBudget.EscapedLength(Head) + Base64Length + PayloadBudget.EscapedLength(Tail);

    public void Dispose() => owner?.Dispose();
}
