using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Media;

/// <summary><c>screen.record</c> through the real gateway and CLI, recording a real Xvfb.</summary>
[NotInParallel(nameof(ScreenRecordInteropTests))]
[ClassDataSource<ScreenNodeFixture>(Shared = SharedType.PerClass)]
public class ScreenRecordInteropTests(ScreenNodeFixture fx)
{
    [Test]
    public async Task Cli_records_3s_of_the_known_screen_as_h264()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ce-screen-{Guid.NewGuid():N}.mp4");
        try
        {
            var (code, output) = await fx.Gateway.CliAsync("nodes", "screen", "record", "--node", fx.NodeId, "--duration", "3s", "--out", path, "--json");
            await Assert.That(code).IsEqualTo(0).Because(output);
            await Assert.That(output).Contains(path);
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Codec).IsEqualTo("h264");
            await Assert.That(probe.Width).IsEqualTo(640);
            // Within one frame (0.1 s at the CLI's default 10 fps) of the request.
            await Assert.That(probe.Duration).IsEqualTo(3.0).Within(0.1);
            await Assert.That(probe.Frames).IsBetween(24, 30); // late grabs on a loaded box skip slots
            await Assert.That(probe.PacketDurations.Sum()).IsEqualTo(probe.Duration).Within(0.002);
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
            var (r, g, b) = await MediaProbe.PixelAsync(path, 1.5, 320, 240);
            await Assert.That(r).IsBetween(0xC8 - 12, 0xC8 + 12);
            await Assert.That(g).IsBetween(0x1E - 12, 0x1E + 12);
            await Assert.That(b).IsBetween(0x28 - 12, 0x28 + 12);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    [Arguments("0", 250)]
    [Arguments("-4000", 250)]
    [Arguments("\"abc\"", 10_000)]
    public async Task Short_and_bad_durations_are_clamped_like_the_reference(string durationJson, int expectedMs)
    {
        var (code, output) = await ScreenNodeFixture.InvokeAsync(fx.Gateway, fx.NodeId, "screen.record",
            $$"""{"durationMs":{{durationJson}},"fps":4,"format":"mp4","includeAudio":false}""");
        await Assert.That(code).IsEqualTo(0).Because(output);
        var payload = ScreenNodeFixture.Payload(output);
        await Assert.That((int)payload["durationMs"]!).IsEqualTo(expectedMs);
        await Assert.That((bool)payload["hasAudio"]!).IsFalse();
        await Assert.That((string)payload["codec"]!).IsEqualTo("h264");
        string path = await MediaProbe.SaveBase64Async(payload);
        try
        {
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Duration).IsEqualTo(expectedMs / 1000.0).Within(0.25);
            await Assert.That(probe.Frames).IsEqualTo((int)payload["frames"]!);
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Minute_long_recordings_of_two_screens_run_together_while_the_link_answers()
    {
        // 60 001 is clamped to the 60 s cap, 59 999 is kept; one frame a second keeps the test cheap.
        var first = ScreenNodeFixture.InvokeAsync(fx.Gateway, fx.NodeId, "screen.record", """{"durationMs":60001,"fps":1,"screenIndex":0}""");
        var second = ScreenNodeFixture.InvokeAsync(fx.Gateway, fx.NodeId, "screen.record", """{"durationMs":59999,"fps":1,"screenIndex":1}""");
        await Task.Delay(5000);

        var (busyCode, busy) = await ScreenNodeFixture.InvokeAsync(fx.Gateway, fx.NodeId, "screen.record", """{"durationMs":1000,"screenIndex":0}""");
        await Assert.That(busyCode).IsNotEqualTo(0);
        await Assert.That(busy).Contains("SCREEN_UNAVAILABLE");
        await Assert.That(busy).Contains("already being recorded");

        var which = await EdgeNode.InvokeAsync(fx.Gateway, fx.NodeId, "system.which", """{"bins":["sh"]}""");
        await Assert.That(which["payload"]!["bins"]!.AsObject().ContainsKey("sh")).IsTrue();
        var (missingCode, missing) = await ScreenNodeFixture.InvokeAsync(fx.Gateway, fx.NodeId, "screen.record", """{"durationMs":1000,"screenIndex":7}""");
        await Assert.That(missingCode).IsNotEqualTo(0);
        await Assert.That(missing).Contains("screen 7 does not exist");

        foreach (var (task, expectedMs, width) in new[] { (first, 60_000, 640), (second, 59_999, 320) })
        {
            var (code, output) = await task;
            await Assert.That(code).IsEqualTo(0).Because(output.Length > 400 ? output[..400] : output);
            var payload = ScreenNodeFixture.Payload(output);
            await Assert.That((int)payload["durationMs"]!).IsEqualTo(expectedMs);
            string path = await MediaProbe.SaveBase64Async(payload);
            try
            {
                var probe = await MediaProbe.ProbeAsync(path);
                await Assert.That(probe.Width).IsEqualTo(width);
                await Assert.That(probe.Duration).IsEqualTo(expectedMs / 1000.0).Within(1.0);
                await Assert.That(probe.Frames).IsEqualTo((int)payload["frames"]!);
                await Assert.That(probe.Frames).IsBetween(50, 60);
                await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [Test]
    public async Task Xvfb_killed_mid_recording_gives_a_shorter_file_and_the_node_stays()
    {
        await using var x = await XvfbServer.StartAsync(320, 240, "#2040C0");
        var (node, nodeId) = await ScreenNodeFixture.StartNodeAsync(fx.Gateway, x.Display);
        await using var _ = node;
        var recording = ScreenNodeFixture.InvokeAsync(fx.Gateway, nodeId, "screen.record", """{"durationMs":5000,"fps":10}""");
        await node.Process.WaitForLineAsync("screen.record: screen 0", TimeSpan.FromSeconds(60));
        await Task.Delay(1500);
        x.Kill();
        var (code, output) = await recording;
        await Assert.That(code).IsEqualTo(0).Because(output.Length > 400 ? output[..400] : output);
        var payload = ScreenNodeFixture.Payload(output);
        await Assert.That((bool?)payload["endedEarly"] == true).IsTrue();
        await Assert.That((int)payload["durationMs"]!).IsLessThan(5000);
        string path = await MediaProbe.SaveBase64Async(payload);
        try
        {
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Duration).IsEqualTo((int)payload["durationMs"]! / 1000.0).Within(0.1);
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
        }
        finally
        {
            File.Delete(path);
        }

        // The node is still there and serving: a new recording fails with a code, system.which answers.
        var (again, error) = await ScreenNodeFixture.InvokeAsync(fx.Gateway, nodeId, "screen.record", """{"durationMs":500}""");
        await Assert.That(again).IsNotEqualTo(0);
        await Assert.That(error).Contains("SCREEN_UNAVAILABLE");
        var which = await EdgeNode.InvokeAsync(fx.Gateway, nodeId, "system.which", """{"bins":["sh"]}""");
        await Assert.That(which["payload"]!["bins"]!.AsObject().ContainsKey("sh")).IsTrue();
        await Assert.That(node.Process.HasExited).IsFalse();
    }
}
