using System.Diagnostics;
using ClawEdge.Capture.Audio;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Mp4;

namespace ClawEdge.Capture.Recording;

/// <summary>
/// Records a camera session for a wall-clock duration counted from its first frame. Every wait on the camera
/// is bounded by the time left, so a camera that stalls ends the clip on time (its last frame then lasts to
/// the end); a stream that ends (unplugged, replay over) gives a shorter file. Sample times are the camera's
/// own timestamps. Runs on the caller's thread; frames stay in the source's buffers (the lease) until encoded.
/// With <c>audio</c> (already capturing on its own thread) the file gets its track too, mapped onto the camera's
/// clock through the wall time of the first frame. At the payload budget the clip ends there, both tracks together.
/// </summary>
public static class CameraRecorder
{
    public static Recording Record(CaptureSession session, VideoEncoder encoder, TimeSpan duration, RecordingLimits limits,
        CancellationToken cancellationToken, TimeSpan? firstFrameTimeout = null, AudioCapture? audio = null)
    {
        var mode = session.Mode;
        double fps = mode.FramesPerSecond > 0 ? mode.FramesPerSecond : 30;
        // Room for a camera faster than it announces; beyond that frames are dropped, not the clip.
        int maxSamples = (int)Math.Ceiling(duration.TotalSeconds * Math.Max(fps, 60)) + 16;
        long audioRoom = audio is null ? 0 : AudioCapture.ReservedBytes(duration, audio.Channels);
        var writer = new Mp4Writer(encoder.Codec, encoder.Width, encoder.Height, maxSamples, Math.Max(0, limits.MaxMediaBytes(maxSamples) - audioRoom));
        try
        {
            long origin = Stopwatch.GetTimestamp();
            TimeSpan firstDeadline = firstFrameTimeout ?? TimeSpan.FromSeconds(5);
            TimeSpan? first = null;
            TimeSpan wallAtFirst = default, stop, last = default;
            long stampAtFirst = 0;
            string? endedEarly = null;
            var slots = new FrameSlots(TimeSpan.FromSeconds(1 / fps));
            while (true)
            {
                TimeSpan now = Stopwatch.GetElapsedTime(origin);
                TimeSpan deadline = first is null ? firstDeadline : wallAtFirst + duration;
                if (now >= deadline)
                {
                    stop = deadline;
                    break;
                }
                FrameLease lease;
                try
                {
                    lease = session.ReadFrame(deadline - now, cancellationToken);
                }
                catch (CaptureException e) when (e.Error == CaptureError.Timeout)
                {
                    continue; // the loop head ends the clip when the deadline has passed
                }
                catch (CaptureException e) when (e.Error is CaptureError.EndOfStream or CaptureError.Disconnected && writer.SampleCount > 0)
                {
                    endedEarly = e.Message;
                    stop = Stopwatch.GetElapsedTime(origin);
                    break;
                }
                using (lease)
                {
                    var frame = lease.Frame;
                    if (first is null)
                    {
                        first = frame.Timestamp;
                        stampAtFirst = Stopwatch.GetTimestamp();
                        wallAtFirst = RecordedAudio.StopwatchTime(stampAtFirst - origin);
                        audio?.MarkVideoStart(stampAtFirst);
                    }
                    else if (frame.Timestamp - first.Value >= duration)
                    {
                        stop = wallAtFirst + duration;
                        break;
                    }
                    last = frame.Timestamp;
                    try
                    {
                        if (!writer.IsFull && slots.TryTake(frame.Timestamp))
                            encoder.Encode(frame, writer);
                    }
                    catch (BufferFullException) when (writer.SampleCount > 0)
                    {
                        endedEarly = "the payload budget is used up";
                        stop = Stopwatch.GetElapsedTime(origin);
                        break;
                    }
                }
            }
            if (writer.SampleCount == 0)
                throw new CaptureException(CaptureError.Timeout, first is null
                    ? $"the camera delivered no frame within {firstDeadline.TotalSeconds:0} s"
                    : "the camera delivered no usable frame");
            // Wall time since the first frame, in the camera's clock; a stream that ended keeps its last frame one period.
            TimeSpan end = first!.Value + (stop - wallAtFirst);
            if (endedEarly is not null)
                end = last + TimeSpan.FromSeconds(1 / fps);
            var audioClock = first.Value - RecordedAudio.StopwatchTime(stampAtFirst);
            RecordedAudio.Attach(audio, writer, audioClock, end);
            writer.Finish(end);
            return new Recording(writer, encoder.CodecName, encoder.Name, end - writer.FirstTimestamp, endedEarly)
            {
                Audio = RecordedAudio.Describe(audio, writer, end, audioClock, out string? missing),
                AudioMissing = missing,
            };
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }
}
