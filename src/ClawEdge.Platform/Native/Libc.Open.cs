using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

/// <summary>open/close/fsync. Flag values are the same on x86-64 and arm64 (O_DIRECTORY is not: we avoid it).</summary>
public static partial class Libc
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    public const int O_CREAT = 0x40;      // 0100
    public const int O_NONBLOCK = 0x800;  // 04000
    public const int O_CLOEXEC = 0x80000;

    // open(2) returns a C int: a SafeHandle return would read a pointer-sized register and take -1 for 4294967295,
    // so the imports return int and the wrappers below make the handle.
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenRaw(string path, int flags);

    // Variadic in C; the mode is passed like a fixed argument on x86-64 and arm64 Linux.
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenRaw(string path, int flags, uint mode);

    /// <summary>open(2): an owned descriptor; invalid (check <see cref="SafeHandle.IsInvalid"/>) with errno set on failure.</summary>
    public static SafeFileDescriptor Open(string path, int flags) => new(OpenRaw(path, flags));

    /// <summary>open(2) with O_CREAT and a mode.</summary>
    public static SafeFileDescriptor OpenCreate(string path, int flags, uint mode) => new(OpenRaw(path, flags, mode));

    /// <summary>close(2): only <see cref="SafeFileDescriptor"/> calls it, exactly once per descriptor.</summary>
    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary>fsync(2): 0, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(SafeHandle fd);
}
