using ClawEdge.Tests.Capture;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Media;

/// <summary>
/// Audio from a real kernel sound card: the test VM (scripts/vivid-vm.sh) loads <c>snd-aloop</c>, <c>aplay</c> plays a
/// periodic tone into the loopback's playback side, and the node in the guest records its capture side through
/// libasound's own <c>hw</c> plugin while serving the real gateway on the host, which asks for the clip through the real
/// CLI. The host-side tests use libasound's <c>file</c> plugin, which runs without being started; a kernel PCM does not.
/// </summary>
public class ClipAudioVmTests
{
    /// <summary>Each second: 1 kHz for 0.5 s, silence for 0.2 s, 440 Hz for 0.3 s — edges a lost or doubled period shifts.</summary>
    private const double Period = 1.0, ToneEnds = 0.5, SecondToneStarts = 0.7;

    private const string AlsaConfig = """
        pcm.loopplay { type hw card 0 device 0 subdevice 0 }
        pcm.loopcap { type hw card 0 device 1 subdevice 0 }
        """;

    private static readonly Dictionary<string, string?> NodeEnvironment = new()
    {
        ["CLAWEDGE_Audio__Device"] = "loopcap",
        ["CLAWEDGE_Camera__Enabled"] = "true",
        ["CLAWEDGE_Camera__TestPattern"] = "true",
        ["CLAWEDGE_Camera__TestPatternWidth"] = "320",
        ["CLAWEDGE_Camera__TestPatternHeight"] = "240",
        ["CLAWEDGE_Camera__TestPatternFps"] = "15",
    };

    private static byte[] PeriodicTone(double seconds) => ToneDevice.S16(seconds, t => (t % Period) switch
    {
        < ToneEnds => Math.Sin(2 * Math.PI * 1000 * t),
        < SecondToneStarts => 0,
        _ => Math.Sin(2 * Math.PI * 440 * t),
    });

    [Test]
    public async Task A_clip_from_snd_aloop_through_the_real_gateway_has_the_tone_with_no_sample_lost()
    {
        await using var gateway = await RealGateway.StartAsync(ScreenNodeFixture.AllowMedia());
        string stateDir = Tools.TempDir("aloop-node");
        string inputs = Tools.TempDir("aloop-in");
        string deviceId;
        await using (var host = EdgeNode.Start(gateway, stateDir, environment: NodeEnvironment))
        {
            deviceId = await host.ConnectAndApproveAsync(gateway);
            await host.StopAsync();
        }
        await File.WriteAllTextAsync(Path.Combine(inputs, "asound.conf"), AlsaConfig);
        // Longer than the guest lives: aplay must still be playing when the clip is asked for.
        await File.WriteAllBytesAsync(Path.Combine(inputs, "tone.s16"), PeriodicTone(180));

        var options = new List<string>
        {
            "--insmod", "snd_aloop pcm_substreams=1",
            "--forward", $"18789={gateway.Port}",
            "--lib", "libssl.so.3", "--lib", "libasound.so.2", "--lib", "libopus.so.0", "--lib", "libx264.so.164",
            "--file", Path.Combine(inputs, "asound.conf"), "--file", Path.Combine(inputs, "tone.s16"),
            "--env", "ALSA_CONFIG_PATH=/in/asound.conf",
            "--env", $"NODE_NAME={EdgeNode.DisplayNameFor(stateDir)}",
            "--env", $"OPENCLAW_GATEWAY_TOKEN={RealGateway.Token}",
            "--env", "CLAWEDGE_Gateway__MaxBackoffMs=2000",
            "--memory", "768",
        };
        foreach (var (k, v) in NodeEnvironment)
            options.AddRange(["--env", $"{k}={v}"]);
        foreach (string file in Directory.GetFiles(stateDir))
            options.AddRange(["--file", $"{file}:/state/{Path.GetFileName(file)}"]);
        const string setup = """
            set -u
            aplay -q -D loopplay -t raw -f S16_LE -r 48000 -c 1 /in/tone.s16 > /out/aplay.log 2>&1 &
            chmod 700 /state; chmod 600 /state/*
            clawedge run --host 10.0.2.100 --port 18789 --state-dir /state --display-name "$NODE_NAME" > /out/node.log 2>&1 &

            """;
        string? clip = null;
        try
        {
            var vm = await VividVm.RunWithShellAsync(setup, [Tools.BinX64, "/usr/bin/aplay"], options, TimeSpan.FromMinutes(6), async shell =>
            {
                await gateway.WaitForNodeAsync(deviceId, n => (bool?)n["connected"] == true, TimeSpan.FromMinutes(2));
                var result = await gateway.CliJsonAsync("nodes", "camera", "clip", "--node", deviceId, "--device-id", "testpattern",
                    "--duration", "3s", "--invoke-timeout", "90000");
                clip = (string)result["file"]!["path"]!;
                await Assert.That((bool)result["file"]!["hasAudio"]!).IsTrue().Because(await shell.RunAsync("cat /out/node.log /out/aplay.log"));
            });
            try
            {
                await Assert.That(vm.Read("node.log")).Contains("0 overrun(s), 0 ms lost");
            }
            finally
            {
                vm.Delete();
            }

            var streams = await AudioProbe.StreamsAsync(clip!);
            await Assert.That(string.Join(',', streams.Select(s => s.Codec))).IsEqualTo("h264,opus");
            var (video, audio) = (streams[0], streams[1]);
            string tracks = $"video {video.Start:F3}+{video.Duration:F3} s, audio {audio.Start:F3}+{audio.Duration:F3} s";
            await Assert.That(video.Duration).IsEqualTo(3.0).Within(0.05).Because(tracks);
            await Assert.That(audio.Duration).IsEqualTo(3.0).Within(0.05).Because(tracks);
            await Assert.That(Math.Abs(audio.Duration - video.Duration)).IsLessThan(0.04).Because(tracks);
            await Assert.That(Math.Abs(audio.Start - video.Start)).IsLessThan(0.02).Because(tracks);
            await Assert.That(await MediaProbe.DecodeErrorsAsync(clip!)).IsEmpty();

            // Every edge of the tone sits on the one-second grid the first edge sets: a lost or repeated period, or a
            // wrong rate, moves the later ones off it.
            string timeline = AudioProbe.Timeline(await AudioProbe.DecodeAudioAsync(clip!));
            var edges = Edges(timeline);
            string why = $"{tracks}; edges {string.Join(' ', edges.Select(e => $"{e.Kind}@{e.At:F3}"))}; timeline (5 ms): {timeline}";
            await Assert.That(edges.Count(e => e.Kind == "k>.")).IsGreaterThanOrEqualTo(2).Because(why);
            await Assert.That(edges.Count(e => e.Kind == ".>a")).IsGreaterThanOrEqualTo(2).Because(why);
            double phase = edges.First(e => e.Kind == "k>.").At - ToneEnds;
            foreach (var (kind, at) in edges)
            {
                double offset = kind switch { "k>." => ToneEnds, ".>a" => SecondToneStarts, "a>k" => Period, _ => double.NaN };
                await Assert.That(double.IsNaN(offset)).IsFalse().Because($"an edge the tone does not have: {why}");
                double cycles = (at - phase - offset) / Period;
                await Assert.That(Math.Abs(cycles - Math.Round(cycles)) * Period).IsLessThan(0.04).Because(why);
            }
        }
        finally
        {
            if (clip is not null)
                File.Delete(clip);
            try { Directory.Delete(stateDir, recursive: true); } catch (IOException) { }
            try { Directory.Delete(inputs, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Changes between runs of 1 kHz ('k'), quiet ('.') and 440 Hz ('a'), at the window where the new run begins.</summary>
    private static List<(string Kind, double At)> Edges(string timeline)
    {
        var edges = new List<(string, double)>();
        // Windows straddling an edge hold both sounds ('?'): judge by the runs on either side.
        int i = 0;
        while (i < timeline.Length && timeline[i] is not ('k' or '.' or 'a'))
            i++;
        char current = i < timeline.Length ? timeline[i] : '?';
        for (; i < timeline.Length; i++)
        {
            char c = timeline[i];
            if (c is not ('k' or '.' or 'a') || c == current)
                continue;
            // Needs 4 windows (20 ms) of the new sound, so a single odd window is not an edge.
            if (i + 4 > timeline.Length || timeline.AsSpan(i, 4).IndexOfAnyExcept(c) >= 0)
                continue;
            edges.Add(($"{current}>{c}", i * 0.005 + 0.005));
            current = c;
        }
        return edges;
    }
}
