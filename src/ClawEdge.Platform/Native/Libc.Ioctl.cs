using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

public static unsafe partial class Libc
{
    /// <summary>ioctl(2) with a pointer argument: usually 0 (some requests return a value), or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(SafeHandle fd, nuint request, void* arg);

    /// <summary>ioctl(2) with an integer argument (I2C_SLAVE takes the address by value).</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlValue(SafeHandle fd, nuint request, nuint arg);
}
