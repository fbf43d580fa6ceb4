using System.Runtime.InteropServices;
using ClawEdge.Platform.Native;
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
        // open(2) directly, not FileStream: .NET takes its own shared flock on every FileStream it opens,
        // which collides with the holder's exclusive one (a sharing violation instead of "already running").
        bool writable = true;
        var fd = Libc.OpenCreate(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_000_000);
        if (fd.IsInvalid)
        {
            int error = Marshal.GetLastPInvokeError();
            // A read-only state directory (remounted ro after SD-card errors): flock needs no write
            // access, so the node still runs alone; it only cannot record its pid.
            fd.Dispose();
            fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
            writable = false;
            // No lock file to open either (a read-only directory that never held one): every process in
            // that situation falls back the same way, so locking the directory itself still excludes.
            if (fd.IsInvalid)
            {
                fd.Dispose();
                fd = Libc.Open(Path.GetDirectoryName(Path.GetFullPath(path))!, Libc.O_RDONLY | Libc.O_CLOEXEC);
            }
            if (fd.IsInvalid)
                throw new StateException($"cannot open the lock file {path}: errno {error} (is the state directory read-only or full, or owned by another user?)");
        }
        var file = fd.MoveToFileHandle();
        if (Libc.Flock(file, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            try
            {
                var buffer = new byte[32];
                int n = RandomAccess.Read(file, buffer, 0);
                int.TryParse(System.Text.Encoding.ASCII.GetString(buffer, 0, n).Trim(), out holderPid);
            }
            catch (IOException)
            {
            }
            finally
            {
                file.Dispose();
            }
            if (errno != Libc.EWOULDBLOCK)
                throw new IOException($"cannot lock {path}: errno {errno}");
            return null;
        }
        if (writable)
        {
            try
            {
                RandomAccess.SetLength(file, 0);
                RandomAccess.Write(file, System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"), 0);
            }
            catch (IOException)
            {
                // A full disk: the lock holds without the pid; `status` just cannot name the holder.
            }
        }
        return new InstanceLock(file);
    }

    /// <summary>Whether some process holds the lock, without taking it (for <c>clawedge status</c>).</summary>
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
