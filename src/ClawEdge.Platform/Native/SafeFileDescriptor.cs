using Microsoft.Win32.SafeHandles;

namespace ClawEdge.Platform.Native;

/// <summary>An open file descriptor, closed exactly once (by dispose or the finalizer).</summary>
public sealed class SafeFileDescriptor : SafeHandleMinusOneIsInvalid
{
    public SafeFileDescriptor() : base(ownsHandle: true)
    {
    }

    /// <summary>Owns <paramref name="fd"/>; any negative value (a failed call) is the invalid handle.</summary>
    public SafeFileDescriptor(int fd) : base(ownsHandle: true) => SetHandle(fd < 0 ? -1 : fd);

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
