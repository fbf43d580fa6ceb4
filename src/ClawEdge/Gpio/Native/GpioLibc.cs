using System.Runtime.InteropServices;

namespace ClawEdge.Gpio.Native;

/// <summary>The libc calls the GPIO and I2C character devices need.</summary>
internal static unsafe partial class GpioLibc
{
    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;  // 04000 on x86-64 and arm64
    public const int O_CLOEXEC = 0x80000; // 02000000 on x86-64 and arm64
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;
    public const short POLLIN = 0x1;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EBUSY = 16;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int EPERM = 1;
    public const int ENXIO = 6;
    public const int ENODEV = 19; // i2c-stub: no chip at that address
    public const int EINVAL = 22;
    public const int EOPNOTSUPP = 95;
    public const int EREMOTEIO = 121;

    /// <summary>open(2): a descriptor, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    /// <summary>close(2).</summary>
    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>ioctl(2) with a pointer argument: ≥ 0, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(SafeHandle fd, nuint request, void* argument);

    /// <summary>ioctl(2) with an integer argument (I2C_SLAVE takes the address by value).</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlValue(SafeHandle fd, nuint request, nuint argument);

    /// <summary>read(2): bytes read, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(SafeHandle fd, void* buffer, nuint count);

    /// <summary>write(2): bytes written, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(SafeHandle fd, void* buffer, nuint count);

    /// <summary>poll(2): ready descriptors, 0 on timeout, or -1 and errno (EINTR on a signal).</summary>
    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollDescriptor* fds, nuint count, int timeoutMs);

    /// <summary>eventfd(2): a descriptor to wake a poll from another thread, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno) is { Length: > 0 } m ? $"{m} (errno {errno})" : $"errno {errno}";
}

/// <summary><c>struct pollfd</c> (8 bytes everywhere).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollDescriptor
{
    public int Fd;
    public short Events;
    public short Revents;
}

/// <summary>One open descriptor of a GPIO chip, GPIO line request, eventfd or I2C bus; closed once.</summary>
internal sealed class FileDescriptorHandle : SafeHandle
{
    public FileDescriptorHandle(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => GpioLibc.Close((int)handle) == 0;
}
