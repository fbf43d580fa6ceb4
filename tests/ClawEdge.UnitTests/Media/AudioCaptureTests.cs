using ClawEdge.Capture.Audio;
using ClawEdge.Capture.Mp4;

namespace ClawEdge.Tests.Media;

/// <summary>The capture loop against a scripted device: overruns filled with silence and counted, a lost device ends the track.</summary>
public class AudioCaptureTests
{
    /// <summary>
    /// A device that delivers whole periods at once (the loop holds it to the clock), overruns after
    /// <paramref name="overrunAfter"/> periods having "lost" <paramref name="overrunMs"/>, and is unplugged after <paramref name="goneAfter"/>.
    /// </summary>
    private sealed class ScriptedPcm(int overrunAfter, int overrunMs, int goneAfter) : PcmSource
    {
        private int _periods;
        private bool _overran;

        public override int Channels => 1;
        public override string Name => "scripted";
        public override int BufferedFrames => 0;
        public override string? LastError => _periods >= goneAfter ? "No such device" : "Broken pipe";

        public override PcmRead Read(Span<short> buffer, int timeoutMs, out int frames)
        {
            frames = 0;
            if (_periods >= goneAfter)
                return PcmRead.Gone;
            if (_periods == overrunAfter && !_overran)
            {
                _overran = true;
                Thread.Sleep(overrunMs);
                return PcmRead.Overrun;
            }
            frames = Math.Min(buffer.Length, OpusTrack.FrameSamples);
            for (int i = 0; i < frames; i++)
                buffer[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 48_000.0));
            _periods++;
            return PcmRead.Data;
        }

        public override void Dispose() { }
    }

    private static (OpusTrack Track, AudioCapture Capture, long Allocated) Run(PcmSource source)
    {
        var encoder = OpusPacketEncoder.TryCreate(source.Channels, out string? why) ?? throw new InvalidOperationException(why);
        var capture = new AudioCapture(source, encoder, maxPackets: 200);
        capture.MarkVideoStart(1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        capture.Run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (capture.Stop(), capture, allocated);
    }

    [Test]
    public async Task An_overrun_is_counted_and_its_lost_time_filled_with_silence()
    {
        var (track, capture, _) = Run(new ScriptedPcm(overrunAfter: 10, overrunMs: 100, goneAfter: 20));
        using (track)
        using (capture)
        {
            await Assert.That(capture.Overruns).IsEqualTo(1);
            // 100 ms lost: five 20 ms packets of silence, more when the test machine is busy (the loss is measured on the clock).
            await Assert.That(capture.Lost.TotalMilliseconds).IsBetween(80, 400);
            await Assert.That(track.Count).IsEqualTo(20 + (int)Math.Round(capture.Lost.TotalMilliseconds / 20));
            await Assert.That(capture.EndedEarly).IsEqualTo("audio device scripted went away: No such device");
        }
    }

    [Test]
    public async Task A_device_that_delivers_faster_than_real_time_is_held_to_the_clock()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (track, capture, _) = Run(new ScriptedPcm(overrunAfter: -1, overrunMs: 0, goneAfter: 25));
        using (track)
        using (capture)
        {
            // 25 periods of 20 ms: half a second, not the microseconds the device would take.
            await Assert.That(clock.Elapsed.TotalMilliseconds).IsBetween(440, 1500);
            await Assert.That(track.Count).IsEqualTo(25);
        }
    }

    [Test]
    [NotInParallel(nameof(A_period_allocates_no_managed_memory))]
    public async Task A_period_allocates_no_managed_memory()
    {
        // Same fixed costs (the pooled period buffer, the end-of-stream message), 25 versus 75 periods, after a
        // warm-up run so the JIT's tier-up of the loop is not counted.
        var (warmTrack, warmCapture, _) = Run(new ScriptedPcm(overrunAfter: -1, overrunMs: 0, goneAfter: 100));
        warmTrack.Dispose(); warmCapture.Dispose();
        var (shortTrack, shortCapture, shortBytes) = Run(new ScriptedPcm(overrunAfter: -1, overrunMs: 0, goneAfter: 25));
        var (longTrack, longCapture, longBytes) = Run(new ScriptedPcm(overrunAfter: -1, overrunMs: 0, goneAfter: 75));
        shortTrack.Dispose(); shortCapture.Dispose(); longTrack.Dispose(); longCapture.Dispose();
        // One object a period would be at least 24 B × 50; the allocation counter itself drifts by a few bytes
        // when a collection on another thread resets this thread's allocation context.
        Console.WriteLine($"capture loop: {shortBytes} B for 25 periods, {longBytes} B for 75: {(longBytes - shortBytes) / 50.0:F2} B a period");
        await Assert.That(longBytes - shortBytes).IsLessThan(200L).Because($"{shortBytes} B for 25 periods, {longBytes} B for 75");
    }
}
