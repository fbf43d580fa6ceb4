using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

/// <summary>
/// statx(2) of an open descriptor or of a path without following a final symlink. statx has one layout on
/// every architecture (unlike struct stat), so one <see cref="StatxBuffer"/> serves x86-64 and arm64.
/// </summary>
public static partial class Libc
{
    public const uint STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_NLINK = 0x4, STATX_GID = 0x10, STATX_MTIME = 0x40,
        STATX_INO = 0x100, STATX_SIZE = 0x200, STATX_BASIC_STATS = 0x7ff;
    public const int AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;

    /// <summary>statx(fd, "", AT_EMPTY_PATH): the file this very descriptor refers to. 0, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatxAt(SafeHandle dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatxPath(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

    /// <summary>The status of the file behind <paramref name="fd"/>; throws <see cref="IOException"/> with the errno.</summary>
    public static StatxBuffer FStat(SafeHandle fd)
    {
        if (StatxAt(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, out var buffer) != 0)
            throw new IOException($"fstat failed: errno {Marshal.GetLastPInvokeError()}");
        return buffer;
    }

    /// <summary>lstat-like: a symlink is reported as the link (<see cref="StatxBuffer.IsSymlink"/>). Null when the path does not exist.</summary>
    public static StatxBuffer? LStat(string path)
    {
        if (StatxPath(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out var buffer) == 0)
            return buffer;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is ENOENT or ENOTDIR)
            return null;
        throw new IOException($"cannot stat {path}: errno {errno}");
    }


}

/// <summary>struct statx (linux/stat.h), 256 bytes; the offsets are checked against the kernel header by a test.</summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
public struct StatxBuffer
{
    public const int InoOffset = 32, SizeOffset = 40, MtimeOffset = 112, DevMajorOffset = 136;

    [FieldOffset(0)] public uint Mask;
    [FieldOffset(16)] public uint Nlink;
    [FieldOffset(20)] public uint Uid;
    [FieldOffset(24)] public uint Gid;
    [FieldOffset(28)] public ushort Mode;
    [FieldOffset(InoOffset)] public ulong Ino;
    [FieldOffset(SizeOffset)] public ulong Size;
    [FieldOffset(MtimeOffset)] public long MtimeSeconds;
    [FieldOffset(MtimeOffset + 8)] public uint MtimeNanoseconds;
    [FieldOffset(DevMajorOffset)] public uint DevMajor;
    [FieldOffset(DevMajorOffset + 4)] public uint DevMinor;

    private const ushort TypeMask = 0xF000, TypeRegular = 0x8000, TypeSymlink = 0xA000;

    public readonly bool IsRegularFile => (Mode & TypeMask) == TypeRegular;
    public readonly bool IsSymlink => (Mode & TypeMask) == TypeSymlink;

    /// <summary>The permission bits (rwx for user, group, other plus setuid/setgid/sticky).</summary>
    public readonly int Permissions => Mode & 0xFFF;
}
