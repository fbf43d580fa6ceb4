using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClawEdge.Capture.Mp4;
using ClawEdge.Capture.Recording;
using ClawEdge.Gateway;
using ClawEdge.Host;
using ClawEdge.Media;

namespace ClawEdge.Tests.Node;

/// <summary>
/// The streamed result frame against the path it replaces (payload as one string, serialized with the frame
/// writer's options), and the payload budget at its edges.
/// </summary>
public class PayloadFrameTests
{
    private const string NodeId = "9f2c3a0b5e6d7c8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";

    /// <summary>What the node sent before: the payload built as a string, then the frame serialized around it.</summary>
    private static byte[] OldFrame(string requestId, string invokeId, string payloadJson)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, GatewayConnection.WriterOptions))
            JsonSerializer.Serialize(writer, new RequestFrame<InvokeResultParams>
            {
                Id = requestId,
                Method = "node.invoke.result",
                Params = new InvokeResultParams { Id = invokeId, NodeId = NodeId, Ok = true, PayloadJson = payloadJson },
            }, GatewayJsonContext.Default.RequestFrameInvokeResultParams);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The new frame, pulled through <paramref name="pieceBytes"/>-byte pieces as the connection sends it.</summary>
    private static ReadOnlySequence<byte> Chunks(byte[] data, params int[] cuts)
    {
        var segments = new List<ReadOnlyMemory<byte>>();
        int from = 0;
        foreach (int cut in cuts.Append(data.Length))
        {
            segments.Add(data.AsMemory(from, cut - from));
            from = cut;
        }
        return Sequence.Of(segments);
    }

    private sealed class Sequence : ReadOnlySequenceSegment<byte>
    {
        public static ReadOnlySequence<byte> Of(List<ReadOnlyMemory<byte>> parts)
        {
            var first = new Sequence { Memory = parts[0] };
            var last = first;
            foreach (var part in parts.Skip(1))
            {
                var next = new Sequence { Memory = part, RunningIndex = last.RunningIndex + last.Memory.Length };
                last.Next = next;
                last = next;
            }
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }

    private static async Task AssertSameFrame(byte[] old, byte[] streamed)
    {
        using var a = JsonDocument.Parse(old);
        using var b = JsonDocument.Parse(streamed);
        await Assert.That(JsonNode.DeepEquals(JsonNode.Parse(old), JsonNode.Parse(streamed))).IsTrue();
        await Assert.That(streamed.Length).IsEqualTo(old.Length);
        await Assert.That(streamed.AsSpan().SequenceEqual(old)).IsTrue().Because("the streamed frame must be byte for byte the serialized one");
    }

    [Test]
    [Arguments(0, 1)]
    [Arguments(1, 4)]
    [Arguments(2, 5)]
    [Arguments(3, 7)]
    [Arguments(1000, 4)]
    [Arguments(100_003, 4096)]
    [Arguments(300_001, 65536)]
    public async Task Jpeg_frame_is_byte_identical_to_the_string_path(int size, int pieceBytes)
    {
        var jpeg = new byte[size];
        new Random(size).NextBytes(jpeg);
        string head = "{\"format\":\"jpg\",\"base64\":\"", tail = "\",\"width\":640,\"height\":480}";
        var payload = new Base64Payload(head, new ReadOnlySequence<byte>(jpeg), tail);
        string oldPayload = head + Convert.ToBase64String(jpeg) + tail;

        await AssertSameFrame(OldFrame("7:3f1e", "inv-1", oldPayload), WireFrames.StreamedFrame("7:3f1e", "inv-1", payload, Math.Max(4, pieceBytes)));
        await Assert.That(payload.EscapedLength).IsEqualTo(PayloadBudget.EscapedLength(oldPayload));
    }

    [Test]
    [Arguments(8193, 4)]
    [Arguments(20_000, 5)]
    [Arguments(100_003, 4096)]
    [Arguments(400_000, 65536)]
    public async Task A_long_plain_result_in_pieces_is_byte_identical_to_the_serialized_frame(int chars, int pieceBytes)
    {
        // What a flood gives: NULs (6 bytes each once escaped, 7 in the frame), quotes, backslashes, non-ASCII, emoji.
        var text = new StringBuilder("{\"stdout\":\"");
        var random = new Random(chars);
        string[] pieces = ["\\u0000", "\\\"", "\\\\", "é", "😀", "line\\n", "abc", "<tag>"];
        while (text.Length < chars)
            text.Append(pieces[random.Next(pieces.Length)]);
        text.Append("\"}");
        string json = text.ToString();

        var frame = new InvokeResultFrame("9:c0ffee", "inv-long", NodeId, json);
        var all = new byte[frame.Length];
        var piece = new byte[pieceBytes];
        int at = 0;
        for (int n; (n = frame.Fill(piece)) > 0; at += n)
            piece.AsSpan(0, n).CopyTo(all.AsSpan(at));
        await Assert.That(at).IsEqualTo(all.Length);
        await AssertSameFrame(OldFrame("9:c0ffee", "inv-long", json), all);
        await Assert.That(frame.Length - InvokeResultFrame.EnvelopeLength("9:c0ffee", "inv-long", NodeId)).IsEqualTo(PayloadBudget.EscapedLength(json));
    }

    [Test]
    public async Task Chunk_boundaries_anywhere_give_the_same_base64()
    {
        var data = new byte[50];
        new Random(5).NextBytes(data);
        string expected = Convert.ToBase64String(data);
        // Every split into three chunks (empty ones too), pulled through pieces of 4, 5 and 64 bytes.
        for (int a = 0; a <= data.Length; a += 1)
            for (int b = a; b <= data.Length; b += 7)
                foreach (int piece in (int[])[4, 5, 64])
                {
                    var payload = new Base64Payload("\"", Chunks(data, a, b), "\"");
                    var frame = JsonNode.Parse(WireFrames.StreamedFrame("1:a", "i", payload, piece))!;
                    string wire = (string)frame["params"]!["payloadJSON"]!;
                    if (wire != "\"" + expected + "\"")
                        throw new InvalidOperationException($"cuts {a},{b} piece {piece}: {wire}");
                }
        await Assert.That(data.Length).IsEqualTo(50);
    }

    [Test]
    public async Task Clip_frame_from_the_mp4_chunks_is_byte_identical_to_the_string_path()
    {
        // Three samples of 700 KB across 1 MiB chunks: the file spans chunks, and groups of 3 straddle them.
        var writer = new Mp4Writer(VideoCodec.Mjpeg, 64, 48, 8, 8 << 20);
        var random = new Random(9);
        for (int i = 0; i < 3; i++)
        {
            var sink = writer.BeginSample();
            var span = sink.GetSpan(700_001)[..700_001];
            random.NextBytes(span);
            sink.Advance(span.Length);
            writer.EndSample(TimeSpan.FromMilliseconds(i * 100));
        }
        writer.Finish(TimeSpan.FromMilliseconds(300));
        var recording = new Recording(writer, "mjpeg", "mjpeg", TimeSpan.FromMilliseconds(300), null);
        var file = new byte[writer.Length];
        writer.CopyTo(file);

        using var payload = MediaPayload.Result(recording, 300, 64, 48, "\"deviceId\":\"testpattern\"", "camera.clip");
        string oldPayload = "{\"format\":\"mp4\",\"base64\":\"" + Convert.ToBase64String(file) + "\"," +
            "\"durationMs\":300,\"hasAudio\":false,\"codec\":\"mjpeg\",\"encoder\":\"mjpeg\",\"frames\":3,\"width\":64,\"height\":48,\"deviceId\":\"testpattern\"}";
        await Assert.That(writer.AsSequence().IsSingleSegment).IsFalse();
        await AssertSameFrame(OldFrame("12:ab", "clip-1", oldPayload), WireFrames.StreamedFrame("12:ab", "clip-1", payload));
    }

    [Test]
    [Arguments("plain")]
    [Arguments("quote \" and backslash \\ and slash /")]
    [Arguments("control \n\t\u0001 and html <b>&amp;</b> +=")]
    [Arguments("non-ASCII é ü 中文 and an emoji 🎥")]
    [Arguments("separators \u2028\u2029 and BOM \uFEFF")]
    public async Task Escaped_length_is_what_the_frame_writer_writes(string text)
    {
        string json = "{\"text\":" + JsonSerializer.Serialize(text, JsonTextContext.Default.String) + ",\"raw\":\"" + text.Replace("\"", "'").Replace("\\", "/") + "\"}";
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, GatewayConnection.WriterOptions))
            writer.WriteStringValue(json);
        await Assert.That(PayloadBudget.EscapedLength(json)).IsEqualTo(buffer.WrittenCount - 2);
        // Escapes make it longer than its characters: the old check (string length) under-counted.
        await Assert.That(PayloadBudget.EscapedLength(json)).IsGreaterThan(json.Length);
    }

    [Test]
    public async Task A_payload_of_exactly_the_budget_makes_a_frame_of_exactly_the_limit()
    {
        // Buffered bytes under half of maxPayload: the frame, not the relayed answer, is the tighter limit here.
        var budget = PayloadBudget.FromPolicy(new HelloPolicy { MaxPayload = 700_000, MaxBufferedBytes = 300_000 });
        await Assert.That(budget.MaxFrameBytes).IsEqualTo(300_000);
        int max = budget.ForResult("42:0a1b", "invoke-7", NodeId);
        await Assert.That(max).IsLessThan(budget.MaxRelayedResultBytes);

        // A string result: quotes cost two bytes each in the frame.
        string head = "{\"text\":\"";
        string exact = head + new string('x', max - (int)PayloadBudget.EscapedLength(head + "\"}")) + "\"}";
        await Assert.That(PayloadBudget.EscapedLength(exact)).IsEqualTo(max);
        await Assert.That(OldFrame("42:0a1b", "invoke-7", exact).Length).IsEqualTo(300_000);

        // A streamed result of exactly the budget: head and tail escaped, base64 of n bytes is 4·⌈n/3⌉.
        string h = "{\"format\":\"jpg\",\"base64\":\"", t = "\",\"width\":1,\"height\":1}";
        long room = max - PayloadBudget.EscapedLength(h) - PayloadBudget.EscapedLength(t);
        t = "\",\"width\":1,\"height\":1" + new string(' ', (int)(room % 4)) + "}"; // base64 moves in steps of 4
        room -= room % 4;
        using var payload = new Base64Payload(h, new ReadOnlySequence<byte>(new byte[room / 4 * 3]), t);
        await Assert.That(payload.EscapedLength).IsEqualTo(max);
        await Assert.That(WireFrames.StreamedFrame("42:0a1b", "invoke-7", payload).Length).IsEqualTo(300_000);
    }

    /// <summary>The gateway's answer to the caller of node.invoke, as nodes.ts builds it: the result parsed and as its string.</summary>
    private static int RelayedAnswerLength(string nodeId, string payloadJson) =>
        Encoding.UTF8.GetByteCount(new JsonObject
        {
            ["type"] = "res",
            ["id"] = "9b0c7a52-8a7e-4a57-9d0e-2f1f3b6a9c11",
            ["ok"] = true,
            ["payload"] = new JsonObject
            {
                ["ok"] = true, ["nodeId"] = nodeId, ["command"] = "camera.clip",
                ["payload"] = JsonNode.Parse(payloadJson), ["payloadJSON"] = payloadJson,
            },
        }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

    [Test]
    public async Task A_result_of_the_budget_still_reaches_the_caller_through_the_gateways_doubled_answer()
    {
        var budget = PayloadBudget.FromPolicy(new HelloPolicy { MaxPayload = 300_000, MaxBufferedBytes = 600_000 });
        int max = budget.ForResult("42:0a1b", "invoke-7", NodeId);
        await Assert.That(max).IsEqualTo((300_000 - PayloadBudget.RelayEnvelopeReserve) / 2);

        // A clip-like result of exactly the budget: its answer to the CLI fits the CLI's 300 000-byte limit.
        string head = "{\"format\":\"mp4\",\"base64\":\"", tail = "\",\"durationMs\":3000,\"hasAudio\":false}";
        string exact = head + new string('Q', max - (int)PayloadBudget.EscapedLength(head + tail)) + tail;
        await Assert.That(PayloadBudget.EscapedLength(exact)).IsEqualTo(max);
        await Assert.That(RelayedAnswerLength(NodeId, exact)).IsLessThanOrEqualTo(300_000);

        // What the frame alone would have let through reaches the gateway, but its answer could not reach the caller.
        int frameOnly = budget.MaxFrameBytes - InvokeResultFrame.EnvelopeLength("42:0a1b", "invoke-7", NodeId);
        string frameFilling = head + new string('Q', frameOnly - (int)PayloadBudget.EscapedLength(head + tail)) + tail;
        await Assert.That(OldFrame("42:0a1b", "invoke-7", frameFilling).Length).IsEqualTo(300_000);
        await Assert.That(RelayedAnswerLength(NodeId, frameFilling)).IsGreaterThan(300_000);
    }

    [Test]
    public async Task Budget_takes_the_smaller_limit_and_defaults_for_missing_fields()
    {
        await Assert.That(PayloadBudget.FromPolicy(null).MaxFrameBytes).IsEqualTo(GatewayProtocol.DefaultMaxPayloadBytes);
        await Assert.That(PayloadBudget.FromPolicy(new HelloPolicy { MaxPayload = 0, MaxBufferedBytes = 0 }).MaxFrameBytes).IsEqualTo(GatewayProtocol.DefaultMaxPayloadBytes);
        await Assert.That(PayloadBudget.FromPolicy(new HelloPolicy { MaxPayload = 1 << 20, MaxBufferedBytes = 1 << 19 }).MaxFrameBytes).IsEqualTo(1 << 19);
        var hello = JsonSerializer.Deserialize("""{"type":"hello-ok","protocol":4,"policy":{"maxPayload":26214400,"maxBufferedBytes":52428800,"tickIntervalMs":30000}}""",
            GatewayJsonContext.Default.HelloOk)!;
        await Assert.That(PayloadBudget.FromPolicy(hello.Policy).MaxFrameBytes).IsEqualTo(26_214_400);
        // 3 bytes become 4 base64 characters; what is left after the JSON decides.
        await Assert.That(PayloadBudget.Base64Capacity(1000, 96)).IsEqualTo(678L);
        await Assert.That(PayloadBudget.Base64Capacity(50, 96)).IsEqualTo(0L);
    }

    private sealed class Fixed(CommandResult result) : NodeCommand
    {
        public override string Name => "test.fixed";
        public override string Capability => "test";
        public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken) => Task.FromResult(result);
    }

    private sealed class Owner : IDisposable
    {
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    [Test]
    [Arguments(0, true)]
    [Arguments(1, false)]
    public async Task Registry_passes_exactly_the_budget_and_refuses_one_byte_more(int over, bool ok)
    {
        const int max = 4000;
        // String: a quote in the content costs two bytes, so the old char count would have let this through.
        string head = "{\"a\":\"\\\"";  // an escaped quote inside: 2 chars in the string, 4 bytes in the frame
        string text = head + new string('q', max + over - (int)PayloadBudget.EscapedLength(head + "\"}")) + "\"}";
        long size = PayloadBudget.EscapedLength(text);
        await Assert.That(size).IsEqualTo((long)max + over);
        var registry = new CommandRegistry([new Fixed(CommandResult.Success(text))]);
        var result = await registry.DispatchAsync(new InvokeContext { Id = "i", Command = "test.fixed", MaxPayloadBytes = max }, CancellationToken.None);
        await Assert.That(result.Ok).IsEqualTo(ok);
        if (!ok)
        {
            await Assert.That(result.ErrorCode).IsEqualTo(ErrorCodes.PayloadTooLarge);
            await Assert.That(result.ErrorMessage!).Contains($"{max + over} bytes");
        }

        // Streamed: base64 moves in steps of 4, so the edge is met with the tail's length.
        string h = "{\"b\":\"";
        var owner = new Owner();
        var bytes = new ReadOnlySequence<byte>(new byte[300]); // 400 base64 bytes
        string tail = "\",\"pad\":\"" + new string('p', max + over - 400 - (int)PayloadBudget.EscapedLength(h) - (int)PayloadBudget.EscapedLength("\",\"pad\":\"\"}")) + "\"}";
        var payload = new Base64Payload(h, bytes, tail, owner);
        await Assert.That(payload.EscapedLength).IsEqualTo((long)max + over);
        var streamed = await new CommandRegistry([new Fixed(CommandResult.Success(payload))])
            .DispatchAsync(new InvokeContext { Id = "i", Command = "test.fixed", MaxPayloadBytes = max }, CancellationToken.None);
        await Assert.That(streamed.Ok).IsEqualTo(ok);
        // A refused payload gives its buffers back at once; a passed one belongs to the session until sent.
        await Assert.That(owner.Disposed).IsEqualTo(!ok);
        await Assert.That(streamed.ErrorCode).IsEqualTo(ok ? null : ErrorCodes.PayloadTooLarge);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class JsonTextContext : System.Text.Json.Serialization.JsonSerializerContext;
