using ClawEdge.Platform.Native;
using ClawEdge.Platform;

namespace ClawEdge.Host;

/// <summary>
/// Gives memory back once the node is quiet again. A flood, a snap or a clip grows the GC heap and the native
/// heap; neither shrinks on its own while nothing allocates, so on a 512 MB board the peak would stay resident.
/// A few seconds after the last invoke (its result is sent by then) one blocking, compacting, decommitting
/// collection (after the large-buffer pool has let go of its frames and chunks) and a malloc_trim bring the
/// resident set back near idle. A node streaming invokes never waits
/// for it: every invoke pushes the trim further out.
/// </summary>
public static class MemoryTrim
{
    public const int QuietMs = 3000;

    private static readonly Timer Timer = new(static _ => Trim(), null, Timeout.Infinite, Timeout.Infinite);

    /// <summary>Called after every invoke: (re)arms the trim for <see cref="QuietMs"/> from now.</summary>
    public static void InvokeFinished() => Timer.Change(QuietMs, Timeout.Infinite);

    /// <summary>Result JSON of at least this many chars is followed by a full collection (see <see cref="AfterLargeResult"/>).</summary>
    public const int LargeResultChars = 128 * 1024;

    /// <summary>
    /// After a result string of MBs has been sent: a system.run flood's 200 KB of output escapes to 1.2 MB of JSON,
    /// and the strings around it are large objects, which only a full collection reclaims. Back-to-back floods
    /// never let the quiet-time trim run, and the GC let ten of them pile up ~90 MB before it collected. A full,
    /// non-compacting collection of this small heap costs milliseconds; the space is then reused by the next one.
    /// </summary>
    public static void AfterLargeResult() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);

    public static void Trim()
    {
        LargeArrayPool.Shared.Drain();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
            Libc.MallocTrim(0);
    }
}
