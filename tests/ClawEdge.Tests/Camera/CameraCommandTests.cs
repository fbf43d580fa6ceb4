using System.Text.Json.Nodes;
using ClawEdge.Capture;
using ClawEdge.Capture.Replay;
using ClawEdge.Capture.TestPattern;
using ClawEdge.Camera;
using ClawEdge.Gateway;
using ClawEdge.Host;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Camera;

/// <summary>camera.list / camera.snap through the registry's dispatch, with cameras given through the catalog seam.</summary>
public class CameraCommandTests
{
    /// <summary>A device that cannot be opened, the way a busy or forbidden V4L2 node fails.</summary>
    private sealed class UnopenableCamera(string id, CaptureError error) : CameraSource
    {
        public override CameraInfo Info { get; } = new(id, "unopenable", "v4l2", "unknown", []);
        public override CaptureSession Open(CaptureRequest request) => throw new CaptureException(error, $"{id}: {error}");
    }

    private static CommandRegistry Registry(bool enabled, params CameraSource[] cameras)
    {
        var options = new CameraOptions { Enabled = enabled, Devices = { ["testpattern"] = new CameraDeviceOptions { Facing = "back", Name = "Bench pattern" } } };
        var catalog = new CameraCatalog(options, () => cameras);
        return new CommandRegistry([new CameraListCommand(catalog), new CameraSnapCommand(catalog)]);
    }

    private static Task<CommandResult> Invoke(CommandRegistry registry, string command, string paramsJson, int maxPayload = GatewayProtocol.DefaultMaxPayloadBytes) =>
        registry.DispatchAsync(new InvokeContext { Id = "t", Command = command, ParamsJson = paramsJson, MaxPayloadBytes = maxPayload, TimeoutMs = 20_000 }, CancellationToken.None);

    [Test]
    public async Task Snap_returns_jpeg_of_max_width_and_list_applies_config()
    {
        var registry = Registry(true, new TestPatternCamera(640, 480, 200));
        var list = await Invoke(registry, "camera.list", "{}");
        await Assert.That(list.Ok).IsTrue();
        var device = JsonNode.Parse(list.PayloadJson!)!["devices"]![0]!;
        await Assert.That((string?)device["id"]).IsEqualTo("testpattern");
        await Assert.That((string?)device["position"]).IsEqualTo("back");
        await Assert.That((string?)device["name"]).IsEqualTo("Bench pattern");

        var snap = await Invoke(registry, "camera.snap", """{"facing":"back","maxWidth":320,"quality":0.8,"delayMs":0,"format":"jpg"}""");
        await Assert.That(snap.Ok).IsTrue().Because(snap.ErrorMessage ?? "");
        var payload = JsonNode.Parse(WireFrames.WirePayload(snap))!;
        await Assert.That((string?)payload["format"]).IsEqualTo("jpg");
        await Assert.That(((int)payload["width"]!, (int)payload["height"]!)).IsEqualTo((320, 240));
        string file = Path.Combine(Tools.TempDir("snap"), "snap.jpg");
        await File.WriteAllBytesAsync(file, Convert.FromBase64String((string)payload["base64"]!));
        var ppm = await CameraTestFiles.DjpegAsync(file);
        await Assert.That((ppm.Width, ppm.Height)).IsEqualTo((320, 240));
        await Assert.That(CameraTestFiles.Near(ppm.At(20 + 40 * 5, 235), TestPatternCamera.Bars[5])).IsTrue();
    }

    [Test]
    public async Task Unknown_device_is_invalid_request_never_another_camera()
    {
        var result = await Invoke(Registry(true, new TestPatternCamera(320, 240)), "camera.snap", """{"deviceId":"/dev/video9","delayMs":0}""");
        await Assert.That(result.ErrorCode).IsEqualTo(ErrorCodes.InvalidRequest);
        await Assert.That(result.ErrorMessage!).Contains("/dev/video9");
    }

    [Test]
    public async Task Disabled_camera_says_so()
    {
        var registry = Registry(false, new TestPatternCamera(320, 240));
        await Assert.That((await Invoke(registry, "camera.snap", "{}")).ErrorCode).IsEqualTo(ErrorCodes.CameraDisabled);
        await Assert.That((await Invoke(registry, "camera.list", "{}")).ErrorCode).IsEqualTo(ErrorCodes.CameraDisabled);
    }

    [Test]
    [Arguments(CaptureError.PermissionDenied, ErrorCodes.CameraPermissionRequired)]
    [Arguments(CaptureError.Busy, ErrorCodes.CameraUnavailable)]
    [Arguments(CaptureError.Disconnected, ErrorCodes.CameraUnavailable)]
    [Arguments(CaptureError.NotFound, ErrorCodes.CameraUnavailable)]
    public async Task Open_failures_map_to_reference_codes(CaptureError error, string code)
    {
        var result = await Invoke(Registry(true, new UnopenableCamera("/dev/video0", error)), "camera.snap", """{"deviceId":"/dev/video0","delayMs":0}""");
        await Assert.That(result.ErrorCode).IsEqualTo(code);
    }

    [Test]
    public async Task No_camera_at_all_is_unavailable_and_bad_format_is_invalid()
    {
        await Assert.That((await Invoke(Registry(true), "camera.snap", "{}")).ErrorCode).IsEqualTo(ErrorCodes.CameraUnavailable);
        await Assert.That((await Invoke(Registry(true, new TestPatternCamera(320, 240)), "camera.snap", """{"format":"png"}""")).ErrorCode).IsEqualTo(ErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task Stream_ending_during_warm_up_is_unavailable()
    {
        string file = Path.Combine(Tools.TempDir("replay"), "short.yuyv");
        await File.WriteAllBytesAsync(file, new byte[PixelFormat.Yuyv.FrameBytes(64, 48) * 3]);
        var replay = new ReplayCamera("replay", file, PixelFormat.Yuyv, 64, 48, framesPerSecond: 20);
        var result = await Invoke(Registry(true, replay), "camera.snap", """{"deviceId":"replay","delayMs":1000}""");
        await Assert.That(result.ErrorCode).IsEqualTo(ErrorCodes.CameraUnavailable);
        await Assert.That(result.ErrorMessage!).Contains("ended");
    }

    [Test]
    public async Task Payload_guard_recompresses_then_refuses()
    {
        // Noise does not compress: a 640x480 noisy frame is far above a 60 KB budget at quality 1.0.
        string file = Path.Combine(Tools.TempDir("replay"), "noise.rgb");
        var noise = new byte[640 * 480 * 3];
        new Random(3).NextBytes(noise);
        await File.WriteAllBytesAsync(file, noise);
        var replay = new ReplayCamera("noise", file, PixelFormat.Rgb24, 640, 480);

        var first = await Invoke(Registry(true, replay), "camera.snap", """{"deviceId":"noise","delayMs":0,"quality":1}""", maxPayload: 400_000);
        await Assert.That(first.Ok).IsTrue().Because(first.ErrorMessage ?? "");
        await Assert.That(first.Streamed!.EscapedLength).IsLessThanOrEqualTo(400_000);
        int width = (int)JsonNode.Parse(WireFrames.WirePayload(first))!["width"]!;
        await Assert.That(width).IsLessThan(640); // it had to shrink

        var refused = await Invoke(Registry(true, replay), "camera.snap", """{"deviceId":"noise","delayMs":0,"quality":1}""", maxPayload: 3_000);
        await Assert.That(refused.ErrorCode).IsEqualTo(ErrorCodes.PayloadTooLarge);
    }
}
