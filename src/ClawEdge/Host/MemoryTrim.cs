using ClawEdge.Platform.Native;

namespace ClawEdge.Host;

/// <summary>
/// Gives memory back once the node is quiet again. A flood, a snap or a clip grows the GC heap and the native
/// heap; neither shrinks on its own while nothing allocates, so on a 512 MB board the peak would stay resident.
/// A few seconds after the last invoke (its result is sent by then) one blocking, compacting, decommitting
/// collection and a malloc_trim bring the resident set back near idle. A node streaming invokes never waits
/// for it: every invoke pushes the trim further out.
/// </summary>
public static class MemoryTrim
{
    public const int QuietMs = 3000;

    private static readonly Timer Timer = new(static _ => Trim(), null, Timeout.Infinite, Timeout.Infinite);

    /// <summary>Called after every invoke: (re)arms the trim for <see cref="QuietMs"/> from now.</summary>
    public static void InvokeFinished() => Timer.Change(QuietMs, Timeout.Infinite);

    public static void Trim()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
            Libc.MallocTrim(0);
    }
}
