using System.Runtime.InteropServices;

namespace ClawEdge.Native;

/// <summary>The few libc calls .NET does not expose: advisory locks and directory fsync.</summary>
internal static partial class Libc
{
    public const int O_RDONLY = 0;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40; // asm-generic: same on x86-64 and arm64
    public const int O_CLOEXEC = 0x80000; // same on x86-64 and arm64 (O_DIRECTORY is not: we avoid it)
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int EWOULDBLOCK = 11;

    /// <summary>open(2): a file descriptor, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    /// <summary>open(2) with a creation mode: a file descriptor, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, uint mode);

    /// <summary>fsync(2): 0, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(int fd);

    /// <summary>close(2).</summary>
    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>flock(2) on a SafeHandle: 0, or -1 with errno EWOULDBLOCK when LOCK_NB and held elsewhere.</summary>
    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(SafeHandle fd, int operation);

    /// <summary>getuid(2).</summary>
    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();
}
