using System.Buffers;
using ClawEdge.Capture;
using ClawEdge.Capture.Jpeg;
using ClawEdge.Capture.Rpicam;
using ClawEdge.Capture.TestPattern;
using ClawEdge.Camera;

namespace ClawEdge.Tests.Camera;

/// <summary>
/// The rpicam backend cannot run here (no Pi camera): a fake <c>rpicam-still</c> script first on PATH answers
/// <c>--list-cameras</c> with real rpicam output and writes a JPEG to stdout, recording its arguments.
/// </summary>
public class RpicamTests
{
    private const string Listing = """
        Available cameras
        -----------------
        0 : imx708_wide [4608x2592 10-bit RGGB] (/base/axi/pcie@120000/rp1/i2c@88000/imx708@1a)
            Modes: 'SRGGB10_CSI2P' : 1536x864 [120.13 fps - (768, 432)/3072x1728 crop]
                                     2304x1296 [56.03 fps - (0, 0)/4608x2592 crop]
                                     4608x2592 [14.35 fps - (0, 0)/4608x2592 crop]
        """;

    [Test]
    public async Task Fake_rpicam_still_is_listed_and_snapped_through_stdout()
    {
        string dir = Fixtures.TempDir("rpicam");
        // A real JPEG for the fake to print.
        var rgbx = new byte[320 * 240 * 4];
        new TestPatternPainter(320, 240, PixelFormat.Rgbx32).Paint(rgbx, 0, 0);
        var jpeg = new ArrayBufferWriter<byte>();
        JpegEncoder.Encode(rgbx, 320, 240, 1280, 90, 0, jpeg, out _, out _);
        await File.WriteAllBytesAsync(Path.Combine(dir, "frame.jpg"), jpeg.WrittenSpan.ToArray());
        await File.WriteAllTextAsync(Path.Combine(dir, "listing.txt"), Listing);
        string script = Path.Combine(dir, "rpicam-still");
        await File.WriteAllTextAsync(script, $"""
            #!/bin/sh
            if [ "$1" = "--list-cameras" ]; then cat '{dir}/listing.txt'; exit 0; fi
            printf '%s\n' "$*" > '{dir}/args.txt'
            cat '{dir}/frame.jpg'
            """.Replace("\r", ""));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var cameras = RpicamCamera.Discover(dir + ":/usr/bin:/bin");
        await Assert.That(cameras.Count).IsEqualTo(1);
        var camera = cameras[0];
        await Assert.That(camera.Info.Id).IsEqualTo("rpicam:0");
        await Assert.That(camera.Info.Backend).IsEqualTo("rpicam");
        await Assert.That(camera.Info.Name).IsEqualTo("imx708_wide");
        await Assert.That(camera.Info.Modes.Select(m => (m.Width, m.Height))).Contains((2304, 1296));
        await Assert.That(camera.Info.Modes.First(m => m.Width == 1536).FramesPerSecond).IsEqualTo(120.13);

        var snapshot = CameraSnapper.Take(camera, null, 85, 1600, 0, long.MaxValue, CancellationToken.None);
        await Assert.That(snapshot.Passthrough).IsTrue();
        await Assert.That(snapshot.Jpeg.Span.SequenceEqual(jpeg.WrittenSpan)).IsTrue();
        await Assert.That((snapshot.Width, snapshot.Height)).IsEqualTo((320, 240));
        string args = (await File.ReadAllTextAsync(Path.Combine(dir, "args.txt"))).Trim();
        await Assert.That(args).IsEqualTo("-n -t 1 --immediate -e jpg -q 93 --camera 0 --width 1600 --height 900 -o -");
    }

    [Test]
    public async Task No_rpicam_on_path_means_no_rpicam_cameras()
    {
        await Assert.That(RpicamCamera.Discover(Fixtures.TempDir("empty-path")).Count).IsEqualTo(0);
    }
}
