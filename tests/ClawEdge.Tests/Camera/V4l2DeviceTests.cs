using ClawEdge.Capture;
using ClawEdge.Capture.Native;
using ClawEdge.Capture.V4l2;
using ClawEdge.Tests.Interop;

using ClawEdge.Platform.Native;

namespace ClawEdge.Tests.Camera;

/// <summary>What can be proven about the V4L2 backend without a device (the vivid VM leg streams from a real driver).</summary>
public class V4l2DeviceTests
{
    [Test]
    [Arguments(Libc.EACCES, CaptureError.PermissionDenied)]
    [Arguments(Libc.EBUSY, CaptureError.Busy)]
    [Arguments(Libc.ENODEV, CaptureError.Disconnected)]
    [Arguments(Libc.ENOENT, CaptureError.NotFound)]
    [Arguments(Libc.EIO, CaptureError.Failed)]
    public async Task Errno_maps_to_a_capture_error(int errno, CaptureError expected)
    {
        var e = V4l2Io.Error(errno, "/dev/video0", "VIDIOC_S_FMT");
        await Assert.That(e.Error).IsEqualTo(expected);
        await Assert.That(e.Message).Contains("/dev/video0");
        if (expected == CaptureError.PermissionDenied)
            await Assert.That(e.Message).Contains("'video' group");
    }

    [Test]
    public async Task Nodes_that_are_not_capture_devices_are_skipped()
    {
        // A regular file named like a device: open works, VIDIOC_QUERYCAP fails (ENOTTY), so it is no camera.
        string dev = Tools.TempDir("dev");
        await File.WriteAllTextAsync(Path.Combine(dev, "video0"), "not a device");
        await File.WriteAllTextAsync(Path.Combine(dev, "videoX"), "not numbered");
        await Assert.That(V4l2Camera.Enumerate(dev).Count).IsEqualTo(0);
        await Assert.That(V4l2Camera.Enumerate(Path.Combine(dev, "missing")).Count).IsEqualTo(0);
    }

    [Test]
    public async Task Missing_device_is_not_found_when_opened()
    {
        var e = Assert.Throws<CaptureException>(() => V4l2Camera.Probe("/dev/video-ce-missing"));
        await Assert.That(e.Error).IsEqualTo(CaptureError.NotFound);
    }
}
