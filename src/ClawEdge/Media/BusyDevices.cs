using System.Collections.Concurrent;

namespace ClawEdge.Media;

/// <summary>
/// Which cameras and screens are recording now. A second recording of the same one is refused at once
/// with a clear message, instead of racing for the device or queueing behind a minute-long clip.
/// </summary>
public static class BusyDevices
{
    private static readonly ConcurrentDictionary<string, byte> Active = new(StringComparer.Ordinal);

    /// <summary>Claims <paramref name="key"/>; false when it is already claimed.</summary>
    public static bool TryClaim(string key) => Active.TryAdd(key, 0);

    public static void Release(string key) => Active.TryRemove(key, out _);
}
