using System.Runtime.InteropServices;

using ClawEdge.Platform.Native;

namespace ClawEdge.Capture.Native;

/// <summary>
/// The libc calls a Wayland client needs: a Unix stream socket, <c>sendmsg</c> with an <c>SCM_RIGHTS</c>
/// control message to hand the compositor a file descriptor, and a <c>memfd</c> for the shared-memory pool.
/// Constants are the same on x86-64 and arm64 Linux.
/// </summary>
internal static unsafe partial class UnixSocket
{
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SCM_RIGHTS = 1;
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_NOSIGNAL = 0x4000;
    public const uint MFD_CLOEXEC = 1;

    /// <summary><c>CMSG_SPACE(sizeof(int))</c> and <c>CMSG_LEN(sizeof(int))</c> on LP64: a 16-byte header, the fd, padding to 8.</summary>
    public const int FdControlSpace = 24;
    public const int FdControlLength = 20;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(SafeFileDescriptor fd, SockAddrUn* address, uint length);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(SafeFileDescriptor fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(SafeFileDescriptor fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(SafeFileDescriptor fd, long length);
}

/// <summary><c>struct sockaddr_un</c>: family, then a 108-byte path.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SockAddrUn
{
    public const int PathLength = 108;
    public ushort Family;
    public fixed byte Path[PathLength];
}

/// <summary><c>struct iovec</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public void* Base;
    public nuint Length;
}

/// <summary><c>struct msghdr</c> (glibc, LP64: the int <c>msg_namelen</c> is padded to 8).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public void* Name;
    public uint NameLength;
    public IoVec* Iov;
    public nuint IovLength;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}

/// <summary><c>struct cmsghdr</c>; the data (here one fd) follows at <c>CMSG_DATA</c> = 16.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CmsgHdr
{
    public nuint Length;
    public int Level;
    public int Type;
}
