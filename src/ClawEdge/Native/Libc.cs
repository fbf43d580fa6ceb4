using System.Runtime.InteropServices;

namespace ClawEdge.Native;

/// <summary>The few libc calls .NET does not expose: advisory locks and directory fsync.</summary>
internal static partial class Libc
{
    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000; // same on x86-64 and arm64 (O_DIRECTORY is not: we avoid it)
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int EWOULDBLOCK = 11;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40; // 0100 on x86-64 and arm64
    public const int O_NONBLOCK = 0x800; // 04000 on x86-64 and arm64
    public const int EPERM = 1;
    public const int EACCES = 13;
    public const int EBUSY = 16;

    /// <summary>open(2): a file descriptor, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    /// <summary>open(2) with O_CREAT and a mode (variadic in C; passed like a fixed argument on x86-64 and arm64 Linux).</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int OpenCreate(string path, int flags, uint mode);

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

    /// <summary>The owner uid of a path (File.GetUnixFileMode gives no owner).</summary>
    public static uint StatOwner(string path)
    {
        // statx(2) has one layout on every architecture, unlike struct stat: stx_uid is at offset 20.
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AT_FDCWD, path, 0, STATX_UID, ref MemoryMarshal.GetReference(buffer)) != 0)
            throw new IOException($"cannot stat {path}: errno {Marshal.GetLastPInvokeError()}");
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(buffer[20..]);
    }

    private const int AT_FDCWD = -100;
    private const uint STATX_UID = 0x8;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte statxBuffer);
}
