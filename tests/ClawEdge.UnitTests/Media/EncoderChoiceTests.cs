using ClawEdge.Capture;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.V4l2;
using ClawEdge.Config;

namespace ClawEdge.Tests.Media;

/// <summary>
/// The clip encoder choice without hardware: what the V4L2 memory-to-memory step does when there is no such
/// device, and the configuration keys that steer it. The device itself is tested on vicodec (M2mVmTests).
/// </summary>
public class EncoderChoiceTests
{
    private static readonly Dictionary<string, string?> NoArgs = new();

    [Test]
    public async Task V4l2m2m_on_a_missing_device_fails_with_the_reason_and_does_not_fall_back()
    {
        using var encoder = VideoEncoders.Open("v4l2m2m", PixelFormat.Yuyv, 640, 480, 30, out string? reason, "/nonexistent/video11");
        await Assert.That(encoder).IsNull();
        await Assert.That(reason).Contains("/nonexistent/video11 does not exist");
    }

    [Test]
    public async Task Auto_falls_back_when_the_configured_device_cannot_open()
    {
        using var encoder = VideoEncoders.Open("auto", PixelFormat.Yuyv, 640, 480, 30, out _, "/nonexistent/video11");
        await Assert.That(encoder).IsNotNull();
        await Assert.That(encoder!.Name).IsNotEqualTo("v4l2m2m");
    }

    [Test]
    public async Task The_scan_takes_no_node_that_is_not_a_memory_to_memory_encoder()
    {
        // A regular file named like a device node: it opens, but VIDIOC_QUERYCAP is refused (ENOTTY).
        string dir = Fixtures.TempDir("m2m-scan");
        await File.WriteAllBytesAsync(Path.Combine(dir, "video11"), new byte[16]);
        await Assert.That(V4l2M2mSession.FindEncoder(V4l2M2mSession.H264, dir)).IsNull();
        await Assert.That(V4l2M2mSession.IsEncoder(Path.Combine(dir, "video11"), V4l2M2mSession.H264)).IsFalse();
    }

    [Test]
    public async Task Unknown_encoder_names_list_v4l2m2m()
    {
        using var encoder = VideoEncoders.Open("vaapi", PixelFormat.Yuyv, 640, 480, 30, out string? reason);
        await Assert.That(encoder).IsNull();
        await Assert.That(reason).Contains("v4l2m2m");
    }

    [Test]
    public async Task Encoder_and_device_keys_bind_for_camera_and_screen()
    {
        var env = new Dictionary<string, string?>
        {
            ["CLAWEDGE_Camera__Encoder"] = "v4l2m2m",
            ["CLAWEDGE_Camera__EncoderDevice"] = "/dev/video11",
            ["CLAWEDGE_Screen__EncoderDevice"] = "/dev/video12",
        };
        var options = ConfigLoader.Load(null, NoArgs, env);
        await Assert.That(options.Camera.Encoder).IsEqualTo("v4l2m2m");
        await Assert.That(options.Camera.EncoderDevice).IsEqualTo("/dev/video11");
        await Assert.That(options.Screen.EncoderDevice).IsEqualTo("/dev/video12");
        await Assert.That(ConfigLoader.Load(null, NoArgs, new Dictionary<string, string?>()).Camera.Encoder).IsEqualTo("auto");
    }
}
