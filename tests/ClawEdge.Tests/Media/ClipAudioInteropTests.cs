using System.Globalization;
using System.Text.RegularExpressions;
using ClawEdge.Tests.Interop;
using TUnit.Core.Interfaces;

namespace ClawEdge.Tests.Media;

/// <summary>
/// A real gateway and our node with the test-pattern camera and a tone as its microphone (<see cref="ToneDevice"/>),
/// and the replay camera whose microphone is configured to a device that does not exist.
/// </summary>
public sealed class ToneNodeFixture : IAsyncInitializer, IAsyncDisposable
{
    public RealGateway Gateway { get; private set; } = null!;
    public EdgeNode Node { get; private set; } = null!;
    public string NodeId { get; private set; } = "";
    public ToneDevice Tone { get; private set; } = null!;
    private string _replayDir = "";

    public async Task InitializeAsync()
    {
        Tone = ToneDevice.Create();
        _replayDir = Tools.TempDir("tone-replay");
        string replay = Path.Combine(_replayDir, "grey.rgb");
        await File.WriteAllBytesAsync(replay, Enumerable.Repeat((byte)0x80, 160 * 120 * 3 * 40).ToArray());
        Gateway = await RealGateway.StartAsync(ScreenNodeFixture.AllowMedia());
        Node = EdgeNode.Start(Gateway, environment: new Dictionary<string, string?>
        {
            ["ALSA_CONFIG_PATH"] = Tone.ConfigPath,
            ["CLAWEDGE_Audio__Device"] = ToneDevice.Name,
            ["CLAWEDGE_Camera__Enabled"] = "true",
            ["CLAWEDGE_Camera__TestPattern"] = "true",
            ["CLAWEDGE_Camera__TestPatternWidth"] = "320",
            ["CLAWEDGE_Camera__TestPatternHeight"] = "240",
            ["CLAWEDGE_Camera__TestPatternFps"] = "25",
            ["CLAWEDGE_Camera__Replay__File"] = replay,
            ["CLAWEDGE_Camera__Replay__Format"] = "rgb24",
            ["CLAWEDGE_Camera__Replay__Width"] = "160",
            ["CLAWEDGE_Camera__Replay__Height"] = "120",
            ["CLAWEDGE_Camera__Replay__Fps"] = "10",
            ["CLAWEDGE_Camera__Devices__replay__Audio"] = "nosuch",
        });
        NodeId = await Node.ConnectAndApproveAsync(Gateway);
    }

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
            await Node.DisposeAsync();
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        Tone?.Dispose();
        try { Directory.Delete(_replayDir, recursive: true); } catch (IOException) { }
    }
}

/// <summary><c>camera.clip</c> with audio through the real gateway and CLI, judged by ffprobe, ffmpeg and a Goertzel filter.</summary>
[NotInParallel(nameof(ClipAudioInteropTests))]
[ClassDataSource<ToneNodeFixture>(Shared = SharedType.PerClass)]
public class ClipAudioInteropTests(ToneNodeFixture fx)
{
    [Test]
    public async Task Cli_clip_has_h264_and_opus_in_step_carrying_the_tone_at_its_times()
    {
        int from = fx.Node.Process.LineCount;
        var result = await fx.Gateway.CliJsonAsync("nodes", "camera", "clip", "--node", fx.NodeId, "--device-id", "testpattern", "--duration", "3s");
        string path = (string)result["file"]!["path"]!;
        try
        {
            await Assert.That((bool)result["file"]!["hasAudio"]!).IsTrue();
            await AudioProbe.AssertToneClipAsync(path, 3.0, await AudioProbe.LoggedLeadAsync(fx.Node, from));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task No_audio_gives_a_clip_without_an_audio_stream()
    {
        var result = await fx.Gateway.CliJsonAsync("nodes", "camera", "clip", "--node", fx.NodeId, "--device-id", "testpattern", "--duration", "1s", "--no-audio");
        string path = (string)result["file"]!["path"]!;
        try
        {
            await Assert.That((bool)result["file"]!["hasAudio"]!).IsFalse();
            var streams = await AudioProbe.StreamsAsync(path);
            await Assert.That(string.Join(',', streams.Select(s => s.Codec))).IsEqualTo("h264");
        }
        finally
        {
            File.Delete(path);
        }
        var (code, output) = await ScreenNodeFixture.InvokeAsync(fx.Gateway, fx.NodeId, "camera.clip", """{"durationMs":500,"deviceId":"testpattern","includeAudio":false}""");
        await Assert.That(code).IsEqualTo(0).Because(output);
        var payload = ScreenNodeFixture.Payload(output);
        await Assert.That((bool)payload["hasAudio"]!).IsFalse();
        await Assert.That(payload["audio"]).IsNull();
    }

    [Test]
    public async Task A_camera_whose_microphone_does_not_exist_still_gives_its_clip_and_says_why()
    {
        var (code, output) = await ScreenNodeFixture.InvokeAsync(fx.Gateway, fx.NodeId, "camera.clip", """{"durationMs":1000,"deviceId":"replay"}""");
        await Assert.That(code).IsEqualTo(0).Because(output);
        var payload = ScreenNodeFixture.Payload(output);
        await Assert.That((bool)payload["hasAudio"]!).IsFalse();
        await Assert.That((string?)payload["audio"]).Contains("no audio capture device nosuch");
        string path = await MediaProbe.SaveBase64Async(payload);
        try
        {
            var streams = await AudioProbe.StreamsAsync(path);
            await Assert.That(string.Join(',', streams.Select(s => s.Type))).IsEqualTo("video");
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
        }
        finally
        {
            File.Delete(path);
        }
        // The node is still there for the next request.
        var (again, againOut) = await ScreenNodeFixture.InvokeAsync(fx.Gateway, fx.NodeId, "camera.clip", """{"durationMs":500,"deviceId":"testpattern"}""");
        await Assert.That(again).IsEqualTo(0).Because(againOut);
        await Assert.That((bool)ScreenNodeFixture.Payload(againOut)["hasAudio"]!).IsTrue();
    }
}
