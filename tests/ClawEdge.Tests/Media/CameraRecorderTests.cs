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
            await Assert.That(probe.Frames).IsBetween(55, 61);
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("CE_KEEP_MEDIA") is null) File.Delete(path);
        }
    }
}
