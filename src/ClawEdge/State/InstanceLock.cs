using System.Runtime.InteropServices;
using ClawEdge.Native;

namespace ClawEdge.State;

/// <summary>
/// One node per state directory: an exclusive <c>flock</c> on <c>clawedge.lock</c>, held for the life of
/// the process and released by the kernel however it dies, so a cron job can start <c>clawedge run</c>
/// every minute and the extra starts see the holder at once.
/// </summary>
public sealed class InstanceLock : IDisposable
{
    private readonly FileStream _file;

    private InstanceLock(FileStream file) => _file = file;

    /// <returns>The lock, or null with the holder's pid when another process has it.</returns>
    public static InstanceLock? TryAcquire(string path, out int holderPid)
    {
        holderPid = 0;
        // FileShare.ReadWrite: .NET must not take its own flock emulation; ours is the one that counts.
        FileStream file;
        bool writable = true;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.ReadWrite,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && File.Exists(path))
        {
            // A read-only state directory (remounted ro after SD-card errors): flock needs no write
            // access, so the node still runs alone; it only cannot record its pid.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            writable = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateException($"cannot create the lock file {path}: {e.Message} (is the state directory read-only or full?)");
        }
        if (Libc.Flock(file.SafeFileHandle, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            try
            {
                using var reader = new StreamReader(file, leaveOpen: true);
                int.TryParse(reader.ReadToEnd().Trim(), out holderPid);
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
                file.SetLength(0);
                file.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
                file.Flush();
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
