using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using ClawEdge.Gateway;

namespace ClawEdge.Host;

/// <summary>
/// How many bytes a result may take on this link — the one place that knows. The gateway's WebSocket receiver
/// counts a whole message (every fragment, as UTF-8) against <c>hello-ok.policy.maxPayload</c> and closes the
/// link with 1009 past it; an equal size passes. A result travels as the <c>payloadJSON</c> string of a
/// <c>node.invoke.result</c> frame, so what counts is its escaped UTF-8 length (every quote in it costs two
/// bytes) plus the envelope around it. <c>maxBufferedBytes</c> bounds the gateway's queues that hold a frame
/// while it is handled, so a frame must fit it too (openclaw sets it to twice maxPayload).
/// <para>
/// The frame is not the tighter limit. The gateway answers whoever called <c>node.invoke</c> (the CLI, an agent
/// tool) with the result <em>twice</em>, parsed as <c>payload</c> and again as the <c>payloadJSON</c> string
/// (openclaw 2026.9.6, nodes.ts), and its own WebSocket clients take at most maxPayload per message: a result over
/// half of it reaches the gateway whole and then drops the caller's link (the CLI sees 1006). So a result gets half
/// of maxPayload, less room for the answer's envelope.
/// </para>
/// </summary>
public sealed class PayloadBudget
{
    public static PayloadBudget GatewayDefault { get; } = new(GatewayProtocol.DefaultMaxPayloadBytes);

    /// <summary>Room for the gateway's answer around the two copies: ids, node id, command, keys.</summary>
    public const int RelayEnvelopeReserve = 4096;

    public PayloadBudget(int maxFrameBytes) : this(maxFrameBytes, maxFrameBytes) { }

    public PayloadBudget(int maxFrameBytes, int maxRelayBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrameBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRelayBytes);
        MaxFrameBytes = maxFrameBytes;
        MaxRelayedResultBytes = Math.Max(0, (maxRelayBytes - RelayEnvelopeReserve) / 2);
    }

    /// <summary>The budget <c>hello-ok.policy</c> gives; a missing or nonsensical field counts as the gateway's default.</summary>
    public static PayloadBudget FromPolicy(HelloPolicy? policy)
    {
        long payload = policy?.MaxPayload is > 0 and var p ? p : GatewayProtocol.DefaultMaxPayloadBytes;
        long buffered = policy?.MaxBufferedBytes is > 0 and var b ? b : GatewayProtocol.DefaultMaxBufferedBytes;
        return new((int)Math.Min(payload, buffered), (int)payload);
    }

    /// <summary>Largest frame the gateway takes from this node, in bytes on the wire (UTF-8 JSON).</summary>
    public int MaxFrameBytes { get; }

    /// <summary>Most escaped bytes a result may take so that the gateway's doubled answer still reaches its caller.</summary>
    public int MaxRelayedResultBytes { get; }

    /// <summary>
    /// Most bytes the escaped <c>payloadJSON</c> of this invoke's result may take: the frame less its exact envelope
    /// (<paramref name="requestId"/> is the id the result frame will be sent with), and at most what the answer to
    /// the caller can carry.
    /// </summary>
    public int ForResult(string requestId, string invokeId, string nodeId) =>
        Math.Max(0, Math.Min(MaxRelayedResultBytes, MaxFrameBytes - InvokeResultFrame.EnvelopeLength(requestId, invokeId, nodeId)));

    /// <summary>Most bytes whose base64 fits <paramref name="maxPayloadBytes"/> beside <paramref name="jsonBytes"/> of other JSON.</summary>
    public static long Base64Capacity(long maxPayloadBytes, long jsonBytes) => Math.Max(0, (maxPayloadBytes - jsonBytes) / 4 * 3);

    /// <summary>
    /// What <paramref name="json"/> costs as the content of a frame's JSON string: its UTF-8 length after the escaping
    /// the frame writer applies (<see cref="GatewayConnection.WriterOptions"/>). Worked out in slices, never as a copy.
    /// </summary>
    public static long EscapedLength(ReadOnlySpan<char> json)
    {
        var encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        long length = 0;
        var rest = json;
        char[] scratch = ArrayPool<char>.Shared.Rent(4096);
        try
        {
            while (!rest.IsEmpty)
            {
                encoder.Encode(rest, scratch, out int consumed, out int written, isFinalBlock: true);
                length += Encoding.UTF8.GetByteCount(scratch.AsSpan(0, written));
                rest = rest[consumed..];
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(scratch);
        }
        return length;
    }
}
