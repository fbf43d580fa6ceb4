using System.Runtime.InteropServices;
using ClawEdge.Native;
using Microsoft.Win32.SafeHandles;

namespace ClawEdge.State;

/// <summary>
/// One node per state directory: an exclusive <c>flock</c> on <c>clawedge.lock</c>, held for the life of
/// the process and released by the kernel however it dies, so a cron job can start <c>clawedge run</c>
/// every minute and the extra starts see the holder at once.
/// </summary>
public sealed class InstanceLock : IDisposable
{
    private readonly SafeFileHandle _file;

    private InstanceLock(SafeFileHandle file) => _file = file;

    /// <returns>The lock, or null with the holder's pid when another process has it.</returns>
    public static InstanceLock? TryAcquire(string path, out int holderPid)
    {
        holderPid = 0;
        // Opened with open(2), not FileStream: .NET takes its own flock on FileStreams, which would
        // collide with ours and make the second instance fail instead of seeing the holder.
        int fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_000_000);
        if (fd < 0)
            throw new IOException($"cannot open {path}: errno {Marshal.GetLastPInvokeError()}");
        var file = new SafeFileHandle(fd, ownsHandle: true);
        if (Libc.Flock(file, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Span<byte> text = stackalloc byte[16];
            int read = RandomAccess.Read(file, text, 0);
            int.TryParse(System.Text.Encoding.ASCII.GetString(text[..read]).Trim(), out holderPid);
            file.Dispose();
            if (errno != Libc.EWOULDBLOCK)
                throw new IOException($"cannot lock {path}: errno {errno}");
            return null;
        }
        var pid = System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n");
        RandomAccess.SetLength(file, 0);
        RandomAccess.Write(file, pid, 0);
        return new InstanceLock(file);
    }

    /// <summary>Whether some process holds the lock, without keeping it (for <c>clawedge status</c>).</summary>
    public static bool IsHeld(string path, out int holderPid)
    {
        holderPid = 0;
        if (!File.Exists(path))
            return false;
        using var probe = TryAcquire(path, out holderPid);
        return probe is null;
    }

    public void Dispose() => _file.Dispose();
}
