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
        using var recording = SmallRecording();
        string json = MediaPayload.Build(recording, "\"durationMs\":500,\"hasAudio\":false", 1 << 20, "camera.clip");
        var node = JsonNode.Parse(json)!;
        var bytes = new byte[recording.File.Length];
        recording.File.CopyTo(bytes);
        await Assert.That((string)node["format"]!).IsEqualTo("mp4");
        await Assert.That((string)node["base64"]!).IsEqualTo(Convert.ToBase64String(bytes));
        await Assert.That((int)node["durationMs"]!).IsEqualTo(500);
    }

    [Test]
    public async Task Too_large_for_the_gateway_is_refused_before_building()
    {
        using var recording = SmallRecording();
        var error = await Assert.That(() => MediaPayload.Build(recording, "\"durationMs\":500", 1000, "camera.clip")).Throws<CommandException>();
        await Assert.That(error!.Code).IsEqualTo(ErrorCodes.PayloadTooLarge);
    }

    [Test]
    public async Task A_recording_past_its_byte_budget_stops_with_buffer_full()
    {
        using var writer = new Mp4Writer(VideoCodec.Mjpeg, 16, 16, 100, RecordingLimits.ForPayload(8192).MaxMediaBytes + 3000);
        var sink = writer.BeginSample();
        await Assert.That(() => sink.GetSpan(64 * 1024)).Throws<BufferFullException>();
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
