using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

/// <summary>Who owns a file, and who we are.</summary>
public static partial class Libc
{
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
    private const int ENOTDIR = 20;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte statxBuffer);
}
