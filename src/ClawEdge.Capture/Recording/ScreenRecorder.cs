using System.Diagnostics;
using ClawEdge.Capture.Audio;
using ClawEdge.Capture.Encoders;
using ClawEdge.Capture.Mp4;
using ClawEdge.Capture.Screen;

namespace ClawEdge.Capture.Recording;

/// <summary>
/// Records a screen for a fixed wall-clock time at a target rate: grab (into the capture's one buffer),
/// encode, mux, then sleep until the next slot. Slots more than a period behind are skipped rather than
/// queued. Timestamps are the real grab times. Runs on the caller's thread; allocation-free per frame.
/// With <c>audio</c> the file gets its track too; at the payload budget the recording ends there, both tracks together.
/// </summary>
public static class ScreenRecorder
{
    public static Recording Record(ScreenCapture capture, VideoEncoder encoder, TimeSpan duration, double framesPerSecond,
        RecordingLimits limits, CancellationToken cancellationToken, AudioCapture? audio = null)
    {
        int maxSamples = (int)Math.Ceiling(duration.TotalSeconds * framesPerSecond) + 8;
        long audioRoom = audio is null ? 0 : AudioCapture.ReservedBytes(duration, audio.Channels);
        var writer = new Mp4Writer(encoder.Codec, encoder.Width, encoder.Height, maxSamples, Math.Max(0, limits.MaxMediaBytes(maxSamples) - audioRoom));
        try
        {
            long origin = Stopwatch.GetTimestamp();
            audio?.MarkVideoStart(origin);
            TimeSpan end = duration;
            TimeSpan period = TimeSpan.FromSeconds(1 / framesPerSecond);
            string? endedEarly = null;
            var wait = cancellationToken.WaitHandle;
            var slots = new FrameSlots(period);
            for (long slot = 0; ; slot++)
            {
                TimeSpan due = period * slot;
                if (due >= end)
                    break;
                TimeSpan now = Stopwatch.GetElapsedTime(origin);
                if (due > now && wait.WaitOne(due - now))
                    cancellationToken.ThrowIfCancellationRequested();
                now = Stopwatch.GetElapsedTime(origin);
                if (now >= end)
                    break;
                Frame frame;
                try
                {
                    frame = capture.Grab(now, slot);
                }
                catch (ScreenException e) when (e.Error == ScreenError.Lost && writer.SampleCount > 0)
                {
                    endedEarly = e.Message;
                    end = now;
                    break;
                }
                try
                {
                    if (slots.TryTake(now))
                        encoder.Encode(frame, writer);
                }
                catch (BufferFullException) when (writer.SampleCount > 0)
                {
                    endedEarly = "the payload budget is used up";
                    end = now;
                    break;
                }
                // A frame that ran long (a key frame on a busy core) makes the next one late, not lost; only a
                // whole period behind are slots skipped, so a slow board records fewer frames, never a longer file.
                long current = (long)(Stopwatch.GetElapsedTime(origin) / period);
                if (current > slot + 1)
                    slot = current - 1;
            }
            if (writer.SampleCount == 0)
                throw new ScreenException(ScreenError.Lost, "no frame could be captured");
            // The file runs from the first frame to the stop time.
            TimeSpan length = end - writer.FirstTimestamp;
            var audioClock = -RecordedAudio.StopwatchTime(origin);
            RecordedAudio.Attach(audio, writer, audioClock, end);
            writer.Finish(end);
            return new Recording(writer, encoder.CodecName, encoder.Name, length, endedEarly)
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
