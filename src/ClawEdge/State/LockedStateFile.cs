using System.Runtime.InteropServices;
using ClawEdge.Platform.Native;

namespace ClawEdge.State;

/// <summary>
/// A state file that several processes edit: the running node, <c>clawedge pin</c>, <c>clawedge approvals</c>.
/// Every change is read-modify-write under an exclusive <c>flock</c> on a sibling lock file, re-reading the
/// file under the lock, so no writer can replace another's change with an older copy; the write itself is
/// <see cref="AtomicFile"/> (0600, fsync, rename, directory fsync). Readers take no lock: a rename is atomic,
/// so they see the old or the new file whole. Nothing is cached between calls.
/// </summary>
public sealed class LockedStateFile
{
    public LockedStateFile(string path)
    {
        FilePath = Path.GetFullPath(path);
        LockPath = Path.Combine(Path.GetDirectoryName(FilePath)!, "." + Path.GetFileName(FilePath) + ".lock");
    }

    public string FilePath { get; }

    /// <summary>The sibling the lock is taken on; the file itself is replaced by rename, so it cannot carry the lock.</summary>
    public string LockPath { get; }

    /// <summary>The file's bytes, or null when it does not exist.</summary>
    public byte[]? Read()
    {
        try
        {
            return File.ReadAllBytes(FilePath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Under the lock: reads the current bytes (null: no file), passes them to <paramref name="change"/>, and
    /// writes what it returns atomically; null leaves the file untouched. Exceptions from
    /// <paramref name="change"/> propagate with nothing written.
    /// </summary>
    /// <returns>The bytes the file holds afterwards.</returns>
    /// <exception cref="IOException">The lock or the write failed (read-only or full directory); the message has the system's words.</exception>
    public byte[]? Update(Func<byte[]?, byte[]?> change)
    {
        using var held = Acquire();
        byte[]? current = Read();
        byte[]? next = change(current);
        if (next is null)
            return current;
        AtomicFile.Write(FilePath, next);
        return next;
    }

    private SafeFileDescriptor Acquire()
    {
        // open(2), not FileStream: .NET would take its own flock on the descriptor it opens.
        var fd = Libc.OpenCreate(LockPath, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_000_000);
        if (fd.IsInvalid)
        {
            int error = Marshal.GetLastPInvokeError();
            fd.Dispose();
            // A read-only directory that already has the lock file: flock needs no write access, and the
            // caller then meets the real error (EROFS) at the write, in the system's words.
            fd = Libc.Open(LockPath, Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (fd.IsInvalid)
            {
                fd.Dispose();
                throw new IOException($"cannot open the lock file {LockPath}: {Libc.Describe(error)}");
            }
        }
        int rc;
        do
            rc = Libc.Flock(fd, Libc.LOCK_EX);
        while (rc != 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);
        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            fd.Dispose();
            throw new IOException($"cannot lock {LockPath}: {Libc.Describe(errno)}");
        }
        return fd; // closing the descriptor releases the lock
    }
}
