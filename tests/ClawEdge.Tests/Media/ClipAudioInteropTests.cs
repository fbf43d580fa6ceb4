using System.Globalization;
using System.Text.RegularExpressions;
using ClawEdge.Tests.Interop;
using ClawEdge.Tests.Canvas;
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

    /// <summary>
    /// The clip in a browser, as a person opens it: Debian's Chromium (headless, driven over DevTools) loads it in a
    /// <c>&lt;video&gt;</c> element served over HTTP, reaches <c>HAVE_ENOUGH_DATA</c>, plays it and decodes audio bytes;
    /// and WebAudio's own decoder gives back the tone at its times.
    /// </summary>
    [Test]
    public async Task Chromium_plays_the_clip_and_its_own_decoder_hears_the_tone()
    {
        int from = fx.Node.Process.LineCount;
        var result = await fx.Gateway.CliJsonAsync("nodes", "camera", "clip", "--node", fx.NodeId, "--device-id", "testpattern", "--duration", "3s");
        string path = (string)result["file"]!["path"]!;
        double lead = await AudioProbe.LoggedLeadAsync(fx.Node, from);
        string profile = Tools.TempDir("clip-browser");
        try
        {
            await using var server = ClipServer.Start(await File.ReadAllBytesAsync(path));
            await using var browser = ChildProcess.Start("chromium",
            [
                "--headless", "--remote-debugging-port=0", $"--user-data-dir={profile}", "--no-sandbox", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-gpu",
                "--autoplay-policy=no-user-gesture-required", server.Url,
            ]);
            await using var devtools = await TestDevTools.ConnectToPageAsync(await DevToolsPortAsync(profile));
            for (var deadline = DateTime.UtcNow.AddSeconds(20); (bool?)await devtools.EvaluateAsync("document.querySelector('video') !== null") != true;)
                await (DateTime.UtcNow < deadline ? Task.Delay(100) : throw new TimeoutException("chromium did not load the clip's page"));
            var playback = await devtools.EvaluatePromiseAsync("""
                (async () => {
                  const v = document.querySelector('video');
                  const deadline = Date.now() + 15000;
                  while (v.readyState < 4 && !v.error && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
                  const ready = v.readyState;
                  await v.play();
                  while (v.currentTime < 1.0 && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
                  return { ready, error: v.error && v.error.message, width: v.videoWidth, duration: v.duration, played: v.currentTime,
                           audioBytes: v.webkitAudioDecodedByteCount, videoBytes: v.webkitVideoDecodedByteCount };
                })()
                """);
            string seen = playback!.ToJsonString();
            Console.WriteLine($"chromium: {seen}");
            await Assert.That((int?)playback["ready"]).IsEqualTo(4).Because(seen);
            await Assert.That((int?)playback["width"]).IsEqualTo(320).Because(seen);
            await Assert.That((double)playback["duration"]!).IsEqualTo(3.0).Within(0.05).Because(seen);
            await Assert.That((double)playback["played"]!).IsGreaterThanOrEqualTo(1.0).Because(seen);
            await Assert.That((long)playback["audioBytes"]!).IsGreaterThan(0L).Because(seen);
            await Assert.That((long)playback["videoBytes"]!).IsGreaterThan(0L).Because(seen);

            // WebAudio decodes the file's Opus track; the samples come back as base64 16-bit mono at 48 kHz.
            var base64 = (string?)await devtools.EvaluatePromiseAsync("""
                (async () => {
                  const data = await (await fetch('/clip.mp4')).arrayBuffer();
                  const audio = await new OfflineAudioContext(1, 48000, 48000).decodeAudioData(data);
                  const f = audio.getChannelData(0), bytes = new Uint8Array(f.length * 2);
                  for (let i = 0; i < f.length; i++) {
                    const s = Math.max(-32768, Math.min(32767, Math.round(f[i] * 32768)));
                    bytes[2 * i] = s & 255; bytes[2 * i + 1] = (s >> 8) & 255;
                  }
                  let text = '';
                  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
                  return btoa(text);
                })()
                """);
            var raw = Convert.FromBase64String(base64!);
            var samples = new short[raw.Length / 2];
            Buffer.BlockCopy(raw, 0, samples, 0, samples.Length * 2);
            string timeline = AudioProbe.Timeline(samples);
            double toneEnds = AudioProbe.RunEnd(timeline, 'k', 1.0);
            double secondStarts = AudioProbe.FirstAfter(timeline, 'a', toneEnds);
            string why = $"{samples.Length} samples; lead {lead * 1000:F1} ms, 1 kHz ends {toneEnds:F3} s, 440 Hz starts {secondStarts:F3} s";
            Console.WriteLine($"chromium WebAudio: {why}");
            await Assert.That(samples.Length / 48_000.0).IsEqualTo(3.0).Within(0.05).Because(why);
            await Assert.That(toneEnds).IsEqualTo(ToneDevice.ToneEnds - lead).Within(0.04).Because(why);
            await Assert.That(secondStarts).IsEqualTo(ToneDevice.SecondToneStarts - lead).Within(0.04).Because(why);
        }
        finally
        {
            File.Delete(path);
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Chromium writes the port it chose for <c>--remote-debugging-port=0</c> into the profile.</summary>
    private static async Task<int> DevToolsPortAsync(string profile)
    {
        string file = Path.Combine(profile, "DevToolsActivePort");
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100))
            if (File.Exists(file) && File.ReadAllLines(file) is [var port, ..] && int.TryParse(port, out int value))
                return value;
        throw new TimeoutException($"chromium wrote no {file}");
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
