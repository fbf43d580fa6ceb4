using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Recording;
using ClawEdge.Capture.Screen;

namespace ClawEdge.Tests.Media;

/// <summary>X11 screen capture against a real Xvfb: pixels, MIT-SHM, and a server that dies mid-recording.</summary>
public class X11CaptureTests
{
    [Test]
    public async Task Grabs_the_known_colour_through_shm()
    {
        await using var x = await XvfbServer.StartAsync(640, 480, "#C81E28");
        using var capture = X11ScreenCapture.Open(x.Display, 0);
        await Assert.That(capture.UsesShm).IsTrue();
        await Assert.That(capture.Width).IsEqualTo(640);
        var (b, g, r) = Centre(capture);
        await Assert.That(r).IsEqualTo((byte)0xC8);
        await Assert.That(g).IsEqualTo((byte)0x1E);
        await Assert.That(b).IsEqualTo((byte)0x28);
        await Assert.That(() => X11ScreenCapture.Open(x.Display, 1)).Throws<ScreenException>();
    }

    private static (byte B, byte G, byte R) Centre(X11ScreenCapture capture)
    {
        var frame = capture.Grab(TimeSpan.Zero, 0);
        int at = frame.Height / 2 * frame.Stride + frame.Width / 2 * 4; // BGRX
        return (frame.Data[at], frame.Data[at + 1], frame.Data[at + 2]);
    }

    [Test]
    public async Task Xinerama_monitors_are_separate_screens()
    {
        await using var x = await XvfbServer.StartAsync(640, 480, "#104080", "-screen 1 320x240x24 +xinerama");
        var screens = X11ScreenCapture.ListScreens(x.Display);
        await Assert.That(screens.Count).IsEqualTo(2);
        // Xvfb puts every head at 0,0; only the sizes tell them apart.
        await Assert.That(screens[1].Width).IsEqualTo(320);
        using var second = X11ScreenCapture.Open(x.Display, 1);
        await Assert.That(second.Height).IsEqualTo(240);
    }

    [Test]
    public async Task Server_killed_mid_recording_gives_a_shorter_valid_file()
    {
        await using var x = await XvfbServer.StartAsync(320, 240, "#20A040");
        using var capture = X11ScreenCapture.Open(x.Display, 0);
        using var encoder = X264Encoder.TryCreate(capture.Width, capture.Height, 10, out _)!;
        var killer = Task.Delay(1200).ContinueWith(_ => x.Kill());
        using var recording = ScreenRecorder.Record(capture, encoder, TimeSpan.FromSeconds(4), 10, new RecordingLimits(8 << 20), CancellationToken.None);
        await killer;
        await Assert.That(recording.EndedEarly).IsNotNull();
        await Assert.That(recording.Duration.TotalSeconds).IsBetween(0.9, 3.9);
        string path = Path.Combine(Path.GetTempPath(), $"ce-x11-{Guid.NewGuid():N}.mp4");
        var bytes = new byte[recording.File.Length];
        recording.File.CopyTo(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Frames).IsEqualTo(recording.Frames);
            await Assert.That(probe.Duration).IsEqualTo(recording.Duration.TotalSeconds).Within(0.002);
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
