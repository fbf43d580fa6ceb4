using System.Text.Json;
using System.Text.Json.Nodes;
using ClawEdge.Capture.Mp4;
using ClawEdge.Capture.Recording;
using ClawEdge.Media;
using ClawEdge.Host;

namespace ClawEdge.Tests.Media;

public class MediaPayloadTests
{
    private static Recording SmallRecording()
    {
        var writer = new Mp4Writer(VideoCodec.Mjpeg, 16, 16, 4, 1 << 20);
        var sink = writer.BeginSample();
        sink.GetSpan(1000).Slice(0, 1000).Fill(0xAB);
        sink.Advance(1000);
        writer.EndSample(TimeSpan.Zero);
        writer.Finish(TimeSpan.FromMilliseconds(500));
        return new Recording(writer, "mjpeg", "mjpeg", TimeSpan.FromMilliseconds(500), null);
    }

    [Test]
    public async Task Payload_is_one_json_object_with_the_file_in_base64()
    {
        var recording = SmallRecording();
        var bytes = new byte[recording.File.Length];
        recording.File.CopyTo(bytes);
        var result = CommandResult.Success(MediaPayload.Build(recording, "\"durationMs\":500,\"hasAudio\":false"));
        var node = JsonNode.Parse(WireFrames.WirePayload(result))!;
        await Assert.That((string)node["format"]!).IsEqualTo("mp4");
        await Assert.That((string)node["base64"]!).IsEqualTo(Convert.ToBase64String(bytes));
        await Assert.That((int)node["durationMs"]!).IsEqualTo(500);
        result.Streamed!.Dispose();
    }

    [Test]
    public async Task A_recording_past_its_byte_budget_stops_with_buffer_full()
    {
        // The file may reach what fits the payload beside the fields; the samples get that less the header's room.
        var limits = MediaPayload.LimitsFor(8192);
        await Assert.That(limits.MaxFileBytes).IsEqualTo(PayloadBudget.Base64Capacity(8192, MediaPayload.FieldsReserve));
        using var writer = new Mp4Writer(VideoCodec.Mjpeg, 16, 16, 100, limits.MaxMediaBytes(100));
        var sink = writer.BeginSample();
        await Assert.That(() => sink.GetSpan((int)limits.MaxFileBytes)).Throws<BufferFullException>();
    }

    [Test]
    [Arguments("0", 250)]
    [Arguments("59999", 59_999)]
    [Arguments("60001", 60_000)]
    [Arguments("-5", 250)]
    [Arguments("\"12\"", 3000)]
    [Arguments("null", 3000)]
    [Arguments("1234.9", 1234)]
    public async Task Durations_clamp_like_the_reference(string json, int expected)
    {
        var element = JsonDocument.Parse(json).RootElement;
        await Assert.That(MediaParams.ClampedInt(element, 3000, 250, 60_000)).IsEqualTo(expected);
    }
}
