using System.Runtime.InteropServices;
using System.Text;

namespace ClawEdge.Platform.Native;

/// <summary>
/// Starts a browser with <c>--remote-debugging-pipe</c>: the child reads DevTools commands on fd 3 and writes
/// replies on fd 4. .NET's <c>Process</c> passes only fds 0–2, so this spawns through posix_spawn with two extra
/// dup2 file actions. The child gets its own process group (its zygote and renderers die with one kill of the
/// group), default signal dispositions and an empty mask, stdin from /dev/null and stdout/stderr on a pipe.
/// </summary>
public static unsafe partial class DevToolsPipeSpawn
{
    private const int F_DUPFD_CLOEXEC = 1030;

    /// <summary>fcntl(2) with an int argument: the new fd (for F_DUPFD_CLOEXEC), or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlInt(int fd, int command, int argument);

    // The pipe ends live as plain ints for the browser's whole life (posix_spawn file actions need the numbers,
    // and the reader thread blocks on one); these three take them as such.
    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadFd(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteFd(int fd, byte* buffer, nuint count);

    /// <summary>geteuid(2): Chromium refuses to run its sandbox as root, so the caller needs to know.</summary>
    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    /// <summary>The parent's ends: write commands to <see cref="CommandWrite"/>, read replies from <see cref="ReplyRead"/>, the child's output from <see cref="OutputRead"/>.</summary>
    public readonly record struct Child(int Pid, int CommandWrite, int ReplyRead, int OutputRead);

    /// <summary>Spawns <paramref name="path"/>; throws <see cref="IOException"/> with the errno when it cannot.</summary>
    public static Child Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment)
    {
        // Every fd made here is close-on-exec; only the dup2 copies at 3, 4, 1 and 2 reach the child. A pipe end
        // that already sits at 3 or 4 would be a dup2 onto itself (which keeps CLOEXEC), so such ends are moved up.
        int[] commands = Pipe(), replies = Pipe(), output = Pipe();
        int pid = 0;
        int rc;
        try
        {
            rc = SpawnWith(path, argv, environment, commands[0], replies[1], output[1], out pid);
        }
        finally
        {
            Libc.Close(commands[0]);
            Libc.Close(replies[1]);
            Libc.Close(output[1]);
        }
        if (rc != 0)
        {
            Libc.Close(commands[1]);
            Libc.Close(replies[0]);
            Libc.Close(output[0]);
            throw new IOException($"cannot start {path}: posix_spawn errno {rc}{(rc == 2 ? " (not found)" : rc == 13 ? " (permission denied)" : "")}");
        }
        return new Child(pid, commands[1], replies[0], output[0]);
    }

    private static int[] Pipe()
    {
        int* fds = stackalloc int[2];
        if (Pipe2(fds, Libc.O_CLOEXEC) != 0)
            throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        int[] pair = [fds[0], fds[1]];
        for (int i = 0; i < 2; i++)
        {
            if (pair[i] > 4)
                continue;
            int moved = FcntlInt(pair[i], F_DUPFD_CLOEXEC, 10);
            if (moved < 0)
                throw new IOException($"fcntl(F_DUPFD_CLOEXEC) failed: errno {Marshal.GetLastPInvokeError()}");
            Libc.Close(pair[i]);
            pair[i] = moved;
        }
        return pair;
    }

    private static int SpawnWith(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment,
        int commandRead, int replyWrite, int outputWrite, out int pid)
    {
        pid = 0;
        byte* fileActions = (byte*)NativeMemory.AllocZeroed(Libc.SpawnObjectBytes);
        byte* attributes = (byte*)NativeMemory.AllocZeroed(Libc.SpawnObjectBytes);
        byte* sigset = (byte*)NativeMemory.AllocZeroed(Libc.SigSetBytes);
        byte* block = null;
        try
        {
            int pointerBytes = (argv.Count + 1 + environment.Count + 1) * sizeof(nint);
            long total = pointerBytes + Utf8Z(path) + Utf8Z("/dev/null");
            foreach (var a in argv)
                total += Utf8Z(a);
            foreach (var e in environment)
                total += Utf8Z(e);
            block = (byte*)NativeMemory.Alloc((nuint)total);
            byte** argvPointers = (byte**)block;
            byte** envPointers = argvPointers + argv.Count + 1;
            byte* cursor = block + pointerBytes;
            for (int i = 0; i < argv.Count; i++)
                argvPointers[i] = Put(argv[i], ref cursor);
            argvPointers[argv.Count] = null;
            for (int i = 0; i < environment.Count; i++)
                envPointers[i] = Put(environment[i], ref cursor);
            envPointers[environment.Count] = null;
            byte* pathZ = Put(path, ref cursor);
            byte* devNull = Put("/dev/null", ref cursor);

            Libc.FileActionsInit(fileActions);
            Libc.AttrInit(attributes);
            try
            {
                int rc = Libc.FileActionsAddOpen(fileActions, 0, devNull, Libc.O_RDONLY, 0);
                if (rc == 0) rc = Libc.FileActionsAddDup2(fileActions, outputWrite, 1);
                if (rc == 0) rc = Libc.FileActionsAddDup2(fileActions, outputWrite, 2);
                if (rc == 0) rc = Libc.FileActionsAddDup2(fileActions, commandRead, 3);
                if (rc == 0) rc = Libc.FileActionsAddDup2(fileActions, replyWrite, 4);
                if (rc == 0) rc = Libc.AttrSetFlags(attributes, Libc.POSIX_SPAWN_SETPGROUP | Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF);
                if (rc == 0) rc = Libc.AttrSetPGroup(attributes, 0);
                Libc.SigEmptySet(sigset);
                if (rc == 0) rc = Libc.AttrSetSigMask(attributes, sigset);
                Libc.SigFillSet(sigset);
                Libc.SigDelSet(sigset, Libc.SIGKILL);
                Libc.SigDelSet(sigset, Libc.SIGSTOP);
                if (rc == 0) rc = Libc.AttrSetSigDefault(attributes, sigset);
                if (rc != 0)
                    return rc;
                return Libc.PosixSpawn(out pid, pathZ, fileActions, attributes, argvPointers, envPointers);
            }
            finally
            {
                Libc.FileActionsDestroy(fileActions);
                Libc.AttrDestroy(attributes);
            }
        }
        finally
        {
            NativeMemory.Free(block);
            NativeMemory.Free(sigset);
            NativeMemory.Free(attributes);
            NativeMemory.Free(fileActions);
        }
    }

    private static long Utf8Z(string s) => Encoding.UTF8.GetByteCount(s) + 1;

    private static byte* Put(string s, ref byte* cursor)
    {
        byte* start = cursor;
        int written = Encoding.UTF8.GetBytes(s, new Span<byte>(cursor, int.MaxValue));
        cursor[written] = 0;
        cursor += written + 1;
        return start;
    }

    /// <summary>read(2) into a span: bytes read, 0 at end of file, -1 and errno (EINTR retried).</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = ReadFd(fd, p, (nuint)buffer.Length);
                if (n >= 0 || Marshal.GetLastPInvokeError() != Libc.EINTR)
                    return (int)n;
            }
        }
    }

    /// <summary>Writes all of <paramref name="data"/>; false when the reader is gone (EPIPE: .NET ignores SIGPIPE).</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = WriteFd(fd, p + done, (nuint)(data.Length - done));
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                        continue;
                    return false;
                }
                done += (int)n;
            }
            return true;
        }
    }

    public static void Close(int fd) => Libc.Close(fd);

    /// <summary>Signals the child's whole process group (its renderers and zygote with it).</summary>
    public static void KillGroup(int pid, int signal) => Libc.Kill(-pid, signal);

    /// <summary>Reaps <paramref name="pid"/> if it has exited: true and its raw wait status, else false.</summary>
    public static bool TryReap(int pid, out int status) => Libc.WaitPid(pid, out status, Libc.WNOHANG) == pid;
}
