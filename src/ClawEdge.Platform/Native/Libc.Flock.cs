using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

public static partial class Libc
{
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

    /// <summary>flock(2): 0, or -1 with errno EWOULDBLOCK when LOCK_NB and held elsewhere. Released when the descriptor closes.</summary>
    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(SafeHandle fd, int operation);
}
