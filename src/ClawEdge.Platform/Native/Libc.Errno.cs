using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

/// <summary>errno values (the same on x86-64 and arm64 Linux) and their text.</summary>
public static partial class Libc
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, ECHILD = 10, EAGAIN = 11, EWOULDBLOCK = 11,
        ENOMEM = 12, EACCES = 13, EBUSY = 16, ENODEV = 19, EINVAL = 22, EPIPE = 32, ESTRPIPE = 86, EOPNOTSUPP = 95, EREMOTEIO = 121;

    /// <summary>strerror(3): never null; the pointer is libc's and valid until the next call, so it is copied at once.</summary>
    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    public static string Describe(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";
}
