using Microsoft.Win32.SafeHandles;

namespace ClawEdge.Platform.Native;

/// <summary>An open file descriptor, closed exactly once (by dispose or the finalizer).</summary>
public sealed class SafeFileDescriptor : SafeHandleMinusOneIsInvalid
{
    public SafeFileDescriptor() : base(ownsHandle: true)
    {
    }

    public SafeFileDescriptor(int fd) : base(ownsHandle: true) => SetHandle(fd);

    /// <summary>The raw number, for structures that carry one (pollfd, posix_spawn file actions); valid while this handle is alive.</summary>
    public int Fd => (int)handle;

    /// <summary>Hands the descriptor to a <see cref="SafeFileHandle"/> (for <see cref="RandomAccess"/>); this handle is invalid afterwards.</summary>
    public SafeFileHandle MoveToFileHandle()
    {
        var moved = new SafeFileHandle(handle, ownsHandle: true);
        SetHandleAsInvalid();
        return moved;
    }

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
