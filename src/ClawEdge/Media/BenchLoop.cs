using System.Diagnostics;
using System.Globalization;
using ClawEdge.Capture.Mp4;

namespace ClawEdge.Media;

/// <summary>The measurement loop the camera and screen benchmarks share (<c>clawedge camera bench clip</c>, <c>clawedge screen bench</c>).</summary>
public static class BenchLoop
{
    /// <summary>
    /// Runs <paramref name="warmUp"/> + <paramref name="frames"/> steps (each gets one frame and encodes it into
    /// <paramref name="writer"/>, returning the ticks of both halves) and reports the measured ones: rate, time per
    /// half, managed bytes per frame after warm-up and peak RSS.
    /// </summary>
    public static string MeasureLoop(Mp4Writer writer, int frames, int warmUp, string sourceLabel, Func<int, (long Source, long Encode)> step)
    {
        long storageBefore = 0, allocatedBefore = 0, sourceTicks = 0, encodeTicks = 0, measuredStart = 0;
        for (int i = 0; i < frames + warmUp; i++)
        {
            if (i == warmUp)
            {
                allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                storageBefore = writer.MediaStorageBytes;
                measuredStart = Stopwatch.GetTimestamp();
            }
            var (source, encode) = step(i);
            if (i >= warmUp)
            {
                sourceTicks += source;
                encodeTicks += encode;
            }
        }
        // New 1 MiB chunks of the file itself come from the pool (fresh arrays the first time): counted apart.
        long storage = writer.MediaStorageBytes - storageBefore;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore - storage;
        double seconds = Stopwatch.GetElapsedTime(measuredStart).TotalSeconds;
        double ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / frames;
        return string.Create(CultureInfo.InvariantCulture,
            $"{frames} frames in {seconds:F2} s = {frames / seconds:F1} fps; {sourceLabel} {ms(sourceTicks):F2} ms, convert+encode+mux {ms(encodeTicks):F2} ms per frame; " +
            $"managed bytes per frame after warm-up: {allocated / (double)frames:F1} (+ {storage / (double)frames:F0} of file storage); {writer.MediaBytes / frames} media bytes per frame; peak RSS {PeakRssMb():F1} MB");
    }

    public static double PeakRssMb()
    {
        foreach (var text in File.ReadLines("/proc/self/status"))
            if (text.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(text.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
        return 0;
    }
}
