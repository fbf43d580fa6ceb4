using System.Runtime.InteropServices;

namespace ClawEdge.Platform.Native;

/// <summary>
/// posix_spawn and the calls around it. .NET's <c>Process</c> cannot put a child in its own process
/// group, pass it a closed stdin and reset the signal dispositions the runtime changed (SIGPIPE is
/// ignored in .NET, and an ignored disposition survives exec), so exec runs through these.
/// </summary>
public static unsafe partial class Libc
{
    public const int POSIX_SPAWN_SETPGROUP = 0x02;
    public const int POSIX_SPAWN_SETSIGDEF = 0x04;
    public const int POSIX_SPAWN_SETSIGMASK = 0x08;
    public const int SIGKILL = 9;
    public const int SIGSTOP = 19;
    public const int WNOHANG = 1;

    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86-64 and aarch64;
    // callers hand in this much zeroed memory so a larger libc struct still fits.
    public const int SpawnObjectBytes = 1024;

    // sigset_t is 128 bytes in glibc on both architectures.
    public const int SigSetBytes = 128;

    /// <summary>posix_spawn(3): 0, or an errno value (it does not set errno). The child's pid in <paramref name="pid"/>.</summary>
    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    public static partial int PosixSpawn(out int pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* fileActions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* fileActions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* fileActions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    public static partial int FileActionsAddOpen(void* fileActions, int fd, byte* path, int flags, uint mode);

    /// <summary>glibc ≥ 2.29: the child changes directory before exec, so a bad cwd is a spawn error, not a half-started child.</summary>
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    public static partial int FileActionsAddChdir(void* fileActions, byte* path);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    public static partial int AttrInit(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    public static partial int AttrDestroy(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    public static partial int AttrSetFlags(void* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setpgroup")]
    public static partial int AttrSetPGroup(void* attributes, int pgroup);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int AttrSetSigMask(void* attributes, void* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int AttrSetSigDefault(void* attributes, void* sigset);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(void* sigset);

    [LibraryImport("libc", EntryPoint = "sigfillset")]
    public static partial int SigFillSet(void* sigset);

    [LibraryImport("libc", EntryPoint = "sigdelset")]
    public static partial int SigDelSet(void* sigset, int signal);

    /// <summary>pipe2(2) with O_CLOEXEC: 0, or -1 and errno. fds[0] reads, fds[1] writes.</summary>
    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(int* fds, int flags);

    private const int F_DUPFD_CLOEXEC = 1030;

    /// <summary>fcntl(2) with an int argument: the new fd (for F_DUPFD_CLOEXEC), or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlInt(int fd, int command, int argument);

    /// <summary>
    /// A close-on-exec pipe as two owned descriptors, both numbered at least <paramref name="lowestFd"/> (so that a
    /// dup2 onto a child's fd 3 or 4 is never a copy onto itself, which would keep close-on-exec); false with errno set.
    /// </summary>
    public static bool Pipe(out SafeFileDescriptor read, out SafeFileDescriptor write, int lowestFd = 0)
    {
        int* fds = stackalloc int[2];
        read = write = new SafeFileDescriptor();
        if (Pipe2(fds, O_CLOEXEC) != 0)
            return false;
        for (int i = 0; i < 2; i++)
        {
            if (fds[i] >= lowestFd)
                continue;
            int moved = FcntlInt(fds[i], F_DUPFD_CLOEXEC, lowestFd);
            int errno = Marshal.GetLastPInvokeError();
            Close(fds[i]);
            fds[i] = moved;
            if (moved < 0)
            {
                if (i == 0) Close(fds[1]); else Close(fds[0]);
                Marshal.SetLastPInvokeError(errno);
                return false;
            }
        }
        read = new SafeFileDescriptor(fds[0]);
        write = new SafeFileDescriptor(fds[1]);
        return true;
    }

    /// <summary>read(2): bytes read, 0 at end of file, -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(SafeHandle fd, byte* buffer, nuint count);

    /// <summary>write(2): bytes written, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(SafeHandle fd, byte* buffer, nuint count);

    /// <summary>read(2) into a span, EINTR retried: bytes read, 0 at end of file, -1 and errno.</summary>
    public static int Read(SafeHandle fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = Read(fd, p, (nuint)buffer.Length);
                if (n >= 0 || Marshal.GetLastPInvokeError() != EINTR)
                    return (int)n;
            }
        }
    }

    /// <summary>Writes all of <paramref name="data"/>, EINTR retried; false when the reader is gone (EPIPE: .NET ignores SIGPIPE).</summary>
    public static bool WriteAll(SafeHandle fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = Write(fd, p + done, (nuint)(data.Length - done));
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == EINTR)
                        continue;
                    return false;
                }
                done += (int)n;
            }
            return true;
        }
    }

    /// <summary>geteuid(2): Chromium refuses to run its sandbox as root, so the canvas needs to know.</summary>
    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    /// <summary>kill(2); a negative pid signals the whole process group.</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>waitpid(2): the pid reaped, 0 with WNOHANG while it runs, -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    /// <summary>pidfd_open(2) (glibc ≥ 2.36, Linux ≥ 5.3): a descriptor that polls readable when the process exits.</summary>
    [LibraryImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
    private static partial int PidFdOpen(int pid, uint flags);

    // eventfd's flags are open(2)'s bits (checked against sys/eventfd.h in the GPIO layout test).
    public const int EFD_CLOEXEC = O_CLOEXEC, EFD_NONBLOCK = O_NONBLOCK;

    /// <summary>eventfd(2): a counter descriptor, used to wake a poll() from another thread.</summary>
    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFdRaw(uint initial, int flags);

    /// <summary>eventfd(2) as an owned descriptor; invalid with errno set on failure.</summary>
    public static SafeFileDescriptor EventFd(uint initial, int flags) => new(EventFdRaw(initial, flags));

    /// <summary>realpath(3) with a NULL buffer: a malloc'd canonical path (free it with <see cref="Free"/>), or 0 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint RealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    public static partial void Free(nint pointer);

    /// <summary>The canonical path (every symlink resolved), or null when it does not exist.</summary>
    public static string? CanonicalPath(string path)
    {
        nint resolved = RealPath(path, 0);
        if (resolved == 0)
            return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>A pidfd for <paramref name="pid"/>, or -1 when the libc or kernel has none (the caller then polls waitpid).</summary>
    public static SafeFileDescriptor PidFdOpenOrInvalid(int pid)
    {
        try
        {
            return new SafeFileDescriptor(PidFdOpen(pid, 0));
        }
        catch (EntryPointNotFoundException)
        {
            return new SafeFileDescriptor();
        }
    }
}
