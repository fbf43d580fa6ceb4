using System.Buffers;
using System.Text.Json.Nodes;
using ClawEdge.Capture;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.TestPattern;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Camera;

/// <summary>
/// The published binary as a node with the test-pattern camera and a replay camera that runs dry, driven by the
/// REAL gateway and CLI: <c>openclaw nodes camera list/snap</c>, a djpeg check of the saved file, coded errors,
/// and the node still connected afterwards.
/// </summary>
public class CameraGatewayTests
{
    [Test]
    public async Task Camera_list_and_snap_through_the_real_gateway_and_cli()
    {
        await using var gateway = await RealGateway.StartAsync(JsonNode.Parse("""{"gateway":{"nodes":{"commands":{"allow":["camera.snap"]}}}}""")!.AsObject());

        // Two frames of MJPEG at 10 fps: a 2 s warm-up outlives the stream (the "device vanished" case).
        string replay = Path.Combine(Tools.TempDir("replay"), "short.mjpeg");
        var rgbx = new byte[160 * 120 * 4];
        new TestPatternPainter(160, 120, PixelFormat.Rgbx32).Paint(rgbx, 0, 0);
        var jpeg = new ArrayBufferWriter<byte>();
        JpegEncoder.Encode(rgbx, 160, 120, 640, 80, 0, jpeg, out _, out _);
        await File.WriteAllBytesAsync(replay, [.. jpeg.WrittenSpan, .. jpeg.WrittenSpan]);

        await using var node = EdgeNode.Start(gateway, environment: new Dictionary<string, string?>
        {
            ["CLAWEDGE_Camera__Enabled"] = "true",
            ["CLAWEDGE_Camera__TestPattern"] = "true",
            ["CLAWEDGE_Camera__Replay__File"] = replay,
            ["CLAWEDGE_Camera__Replay__Width"] = "160",
            ["CLAWEDGE_Camera__Replay__Height"] = "120",
            ["CLAWEDGE_Camera__Replay__Fps"] = "10",
        });
        string nodeId = await node.DeviceIdAsync();
        await node.ApproveSurfaceAsync(gateway);
        await gateway.WaitForNodeAsync(nodeId, n => (bool?)n["connected"] == true, TimeSpan.FromSeconds(30));

        var list = await gateway.CliJsonAsync("nodes", "camera", "list", "--node", nodeId);
        var ids = list.AsArray().Select(d => (string?)d!["id"]).ToList();
        await Assert.That(ids).Contains("testpattern");
        await Assert.That(ids).Contains("replay");
        var pattern = list.AsArray().First(d => (string?)d!["id"] == "testpattern")!;
        await Assert.That((string?)pattern["position"]).IsEqualTo("unknown");
        await Assert.That((string?)pattern["deviceType"]).IsEqualTo("testpattern");

        var snap = await gateway.CliJsonAsync("nodes", "camera", "snap", "--node", nodeId, "--device-id", "testpattern", "--max-width", "640", "--delay-ms", "200");
        var file = snap["files"]![0]!;
        await Assert.That(((int)file["width"]!, (int)file["height"]!)).IsEqualTo((640, 360));
        var ppm = await CameraTestFiles.DjpegAsync((string)file["path"]!);
        await Assert.That((ppm.Width, ppm.Height)).IsEqualTo((640, 360));
        for (int bar = 0; bar < 8; bar++)
            await Assert.That(CameraTestFiles.Near(ppm.At(bar * 80 + 40, 350), TestPatternCamera.Bars[bar])).IsTrue().Because($"bar {bar}: {ppm.At(bar * 80 + 40, 350)}");
        var (ffprobe, probeOut) = await ChildProcess.RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", (string)file["path"]!]);
        await Assert.That(ffprobe).IsEqualTo(0);
        await Assert.That(probeOut.Trim()).IsEqualTo("mjpeg,640,360");

        // Coded errors, each leaving the node connected. The CLI's snap prints the message; invoke shows the code.
        var (code, output) = await gateway.CliAsync("nodes", "camera", "snap", "--node", nodeId, "--device-id", "/dev/video42", "--delay-ms", "0");
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("camera device not found: /dev/video42");
        (code, output) = await gateway.CliAsync("gateway", "call", "node.invoke", "--json", "--params",
            $$"""{"nodeId":"{{nodeId}}","command":"camera.snap","params":{"deviceId":"/dev/video42","delayMs":0},"idempotencyKey":"bad-id"}""");
        await Assert.That(output).Contains("INVALID_REQUEST").Because(output);
        (code, output) = await gateway.CliAsync("gateway", "call", "node.invoke", "--json", "--params",
            $$"""{"nodeId":"{{nodeId}}","command":"camera.snap","params":{"deviceId":"replay","delayMs":2000},"idempotencyKey":"vanish","timeoutMs":15000}""");
        await Assert.That(output).Contains("CAMERA_UNAVAILABLE").Because(output);
        await Assert.That(output).Contains("ended").Because(output);

        var again = await EdgeNode.InvokeAsync(gateway, nodeId, "camera.snap", """{"deviceId":"testpattern","maxWidth":320,"delayMs":0}""");
        await Assert.That((int)again["payload"]!["width"]!).IsEqualTo(320);
        await Assert.That(node.Process.HasExited).IsFalse();
    }

    [Test]
    public async Task Disabled_camera_declares_no_camera_commands()
    {
        await using var gateway = await RealGateway.StartAsync(JsonNode.Parse("""{"gateway":{"nodes":{"commands":{"allow":["camera.snap"]}}}}""")!.AsObject());
        await using var node = EdgeNode.Start(gateway, environment: new Dictionary<string, string?> { ["CLAWEDGE_Camera__TestPattern"] = "true" });
        string nodeId = await node.DeviceIdAsync();
        await node.WaitConnectedAsync();
        var line = await node.Process.WaitForLineAsync("commands:", TimeSpan.FromSeconds(10));
        await Assert.That(line).DoesNotContain("camera");
        var (code, output) = await gateway.CliAsync("nodes", "camera", "snap", "--node", nodeId, "--delay-ms", "0");
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(node.Process.HasExited).IsFalse();
    }
}
