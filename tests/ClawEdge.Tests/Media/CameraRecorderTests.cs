using ClawEdge.Capture;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Recording;
using ClawEdge.Capture.TestPattern;

namespace ClawEdge.Tests.Media;

public class CameraRecorderTests
{
    [Test]
    public async Task Test_pattern_clip_has_the_requested_length_and_decodes_cleanly()
    {
        var camera = new TestPatternCamera(320, 240, 30, PixelFormat.Yuyv);
        using var session = camera.Open(new CaptureRequest());
        using var encoder = X264Encoder.TryCreate(320, 240, 30, out _)!;
        using var recording = CameraRecorder.Record(session, encoder, TimeSpan.FromSeconds(2), new RecordingLimits(8 << 20), CancellationToken.None);
        string path = Path.Combine(Path.GetTempPath(), $"ce-cam-{Guid.NewGuid():N}.mp4");
        var bytes = new byte[recording.File.Length];
        recording.File.CopyTo(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Duration).IsEqualTo(2.0).Within(1 / 30.0);
            // A loaded CI box drops some of the 60 (late reads); every kept frame must be in the file.
            await Assert.That(probe.Frames).IsEqualTo(recording.Frames);
            await Assert.That(probe.Frames).IsBetween(40, 61);
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("CE_KEEP_MEDIA") is null) File.Delete(path);
        }
    }
}

/// <summary>Delivers 10 fps for <c>liveFor</c>, then nothing (each read waits its whole timeout): a stalled camera.</summary>
internal sealed class StallingSession(TimeSpan liveFor) : CaptureSession
{
    private readonly byte[] _pixels = new byte[64 * 64 * 4];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _sequence;

    public override CameraMode Mode => new(64, 64, PixelFormat.Rgbx32, 10);

    public override FrameLease ReadFrame(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var due = TimeSpan.FromMilliseconds(100 * _sequence);
        if (due >= liveFor)
        {
            Thread.Sleep(timeout);
            throw new CaptureException(CaptureError.Timeout, "stalled");
        }
        var wait = due - _clock.Elapsed;
        if (wait > TimeSpan.Zero)
            Thread.Sleep(wait);
        return new FrameLease(new Frame(_pixels, 64, 64, 256, PixelFormat.Rgbx32, due, _sequence++), this, 0);
    }

    protected internal override void Release(int token)
    {
    }

    public override void Dispose()
    {
    }
}

public class StalledCameraTests
{
    [Test]
    public async Task A_stalled_camera_ends_the_clip_on_time_with_its_last_frame_held()
    {
        using var session = new StallingSession(TimeSpan.FromMilliseconds(500));
        using var encoder = X264Encoder.TryCreate(64, 64, 10, out _)!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var recording = CameraRecorder.Record(session, encoder, TimeSpan.FromSeconds(2), new RecordingLimits(1 << 20), CancellationToken.None);
        // Ended by the wall clock, not by the camera: about 2 s, never the 2 s plus a hang.
        await Assert.That(clock.Elapsed.TotalSeconds).IsBetween(1.9, 4.0);
        await Assert.That(recording.Frames).IsEqualTo(5);
        await Assert.That(recording.EndedEarly).IsNull();
        string path = Path.Combine(Path.GetTempPath(), $"ce-stall-{Guid.NewGuid():N}.mp4");
        var bytes = new byte[recording.File.Length];
        recording.File.CopyTo(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Frames).IsEqualTo(5);
            await Assert.That(probe.Duration).IsEqualTo(2.0).Within(0.1);
            await Assert.That(probe.PacketDurations[^1]).IsGreaterThan(1.4); // the frozen last picture
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
