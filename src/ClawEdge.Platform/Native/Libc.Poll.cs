using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

public static unsafe partial class Libc
{
    public const short POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;

    /// <summary>struct pollfd: 8 bytes on every Linux architecture.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>poll(2): ready count, 0 on timeout, -1 and errno (EINTR is retried by the caller).</summary>
    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);
}
