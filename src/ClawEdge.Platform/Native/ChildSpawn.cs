using System.Runtime.InteropServices;
using System.Text;

namespace ClawEdge.Platform.Native;

/// <summary>One copy the child gets: our close-on-exec descriptor <see cref="From"/> appears as <see cref="To"/> in it.</summary>
public readonly record struct ChildDescriptor(int From, int To);

/// <summary>
/// The one posix_spawn set-up every child of the node gets (exec's commands, the canvas browser). .NET's
/// <c>Process</c> cannot put a child in its own process group (one kill ends it and everything it started),
/// reset the signal dispositions the runtime changed (SIGPIPE is ignored in .NET, and an ignored disposition
/// survives exec), nor pass descriptors above 2. So: stdin from /dev/null, the given dup2 copies in order,
/// an optional working directory, its own group, an empty signal mask and default dispositions.
/// </summary>
public static unsafe class ChildSpawn
{
    /// <summary>Starts <paramref name="path"/>: 0 and the pid, or the errno posix_spawn (or a file action) gave.</summary>
    /// <param name="descriptors">Applied in order, so a copy never lands on a later copy's source if the caller orders them.</param>
    public static int Start(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment,
        ReadOnlySpan<ChildDescriptor> descriptors, string? workingDirectory, out int pid)
    {
        pid = 0;
        byte* fileActions = (byte*)NativeMemory.AllocZeroed(Libc.SpawnObjectBytes);
        byte* attributes = (byte*)NativeMemory.AllocZeroed(Libc.SpawnObjectBytes);
        byte* sigset = (byte*)NativeMemory.AllocZeroed(Libc.SigSetBytes);
        byte* strings = null;
        try
        {
            // One block: argv pointers, envp pointers, then every NUL-terminated string.
            int pointerBytes = (argv.Count + 1 + environment.Count + 1) * sizeof(nint);
            long total = pointerBytes + Utf8Z(path) + Utf8Z(workingDirectory ?? "") + Utf8Z("/dev/null");
            foreach (var a in argv)
                total += Utf8Z(a);
            foreach (var e in environment)
                total += Utf8Z(e);
            strings = (byte*)NativeMemory.Alloc((nuint)total);
            byte** argvPointers = (byte**)strings;
            byte** envPointers = argvPointers + argv.Count + 1;
            byte* cursor = strings + pointerBytes;
            for (int i = 0; i < argv.Count; i++)
                argvPointers[i] = Put(argv[i], ref cursor);
            argvPointers[argv.Count] = null;
            for (int i = 0; i < environment.Count; i++)
                envPointers[i] = Put(environment[i], ref cursor);
            envPointers[environment.Count] = null;
            byte* pathZ = Put(path, ref cursor);
            byte* devNull = Put("/dev/null", ref cursor);
            byte* cwd = workingDirectory is { } dir ? Put(dir, ref cursor) : null;

            Libc.FileActionsInit(fileActions);
            Libc.AttrInit(attributes);
            try
            {
                int rc = Libc.FileActionsAddOpen(fileActions, 0, devNull, Libc.O_RDONLY, 0);
                // dup2 clears close-on-exec on the copy: the child keeps exactly these open across exec.
                foreach (var d in descriptors)
                    if (rc == 0)
                        rc = Libc.FileActionsAddDup2(fileActions, d.From, d.To);
                if (rc == 0 && cwd is not null) rc = Libc.FileActionsAddChdir(fileActions, cwd);
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
            NativeMemory.Free(strings);
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
}
