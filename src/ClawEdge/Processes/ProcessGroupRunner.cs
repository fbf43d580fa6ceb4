using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using ClawEdge.Platform.Native;


namespace ClawEdge.Processes;

/// <summary>
/// What to start: the pinned executable (already resolved and approved), its argv and environment. With
/// <see cref="ExecutableFile"/> the child executes that open descriptor (as <c>/dev/fd/3</c>), not whatever
/// the path names by then; <see cref="ScriptFile"/> becomes the child's fd 4, which argv names as <c>/dev/fd/4</c>.
/// </summary>
public sealed record ExecLaunch(string ExecutablePath, IReadOnlyList<string> Argv, string? WorkingDirectory, IReadOnlyList<string> Environment, int? TimeoutMs,
    SafeHandle? ExecutableFile = null, SafeHandle? ScriptFile = null)
{
    public const int ExecutableFd = 3, ScriptFd = 4;

    /// <summary>How the child names its descriptor <paramref name="fd"/>: <c>/dev/fd/N</c>, or <c>/proc/self/fd/N</c> where /dev/fd is missing.</summary>
    public static string DescriptorPath(int fd) => Directory.Exists("/dev/fd") ? $"/dev/fd/{fd}" : $"/proc/self/fd/{fd}";
}

/// <summary>How a run ended. <see cref="ExitCode"/> is null when the child died of a signal or never started.</summary>
public sealed class ExecOutcome
{
    public int? ExitCode { get; init; }
    public int? TermSignal { get; init; }
    public bool TimedOut { get; init; }
    public bool Cancelled { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
    public bool Truncated { get; init; }

    /// <summary>Set when the child could not be started (bad cwd, E2BIG, ENOENT…).</summary>
    public string? Error { get; init; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> right after posix_spawn returned and when the child was reaped.</summary>
    public long SpawnedAt { get; init; }
    public long ReapedAt { get; init; }
}

/// <summary>
/// Runs one child in its own process group with stdin on /dev/null and stdout/stderr on pipes, on the
/// calling thread. The whole group is killed on timeout or cancellation, and also once the leader
/// exits: a grandchild left running would outlive the approval that let its parent start. Output is
/// kept up to <see cref="OutputCapBytes"/> (stdout and stderr together, head first, like the reference
/// host); the rest is read and dropped, so memory stays bounded whatever the child writes.
/// </summary>
public static unsafe class ProcessGroupRunner
{
    /// <summary>The reference node host's cap on captured stdout+stderr.</summary>
    public const int OutputCapBytes = 200_000;

    // How long pipes may stay open after the group was killed: only a child that left the group
    // (setsid) can still hold them, and it must not hold the invoke hostage.
    private const int DrainAfterExitMs = 250;

    private const int ReadChunk = 64 * 1024;

    /// <summary>A child that was started (or failed to start), before anyone waits for it.</summary>
    public sealed class Started
    {
        internal int Pid;
        internal SafeFileDescriptor? Stdout;
        internal SafeFileDescriptor? Stderr;
        internal long SpawnedAt;
        internal string? Error;

        public int ProcessId => Pid;
    }

    public static ExecOutcome Run(ExecLaunch launch, CancellationToken cancellationToken)
        => Wait(Start(launch), launch.TimeoutMs, cancellationToken);

    /// <summary>
    /// Spawns the child on the calling thread: cheap (posix_spawn returns once the child has exec'd), so
    /// a caller can start it before handing the blocking <see cref="Wait"/> to a thread of its own.
    /// </summary>
    public static Started Start(ExecLaunch launch)
    {
        if (!Libc.Pipe(out var stdoutRead, out var stdoutWrite))
            return new Started { Error = $"pipe failed: errno {Marshal.GetLastPInvokeError()}" };
        if (!Libc.Pipe(out var stderrRead, out var stderrWrite))
        {
            int errno = Marshal.GetLastPInvokeError();
            stdoutRead.Dispose();
            stdoutWrite.Dispose();
            return new Started { Error = $"pipe failed: errno {errno}" };
        }
        int spawnError, pid;
        // The write ends are the child's now: closing ours lets end-of-file arrive when it exits.
        using (stdoutWrite)
        using (stderrWrite)
            spawnError = Spawn(launch, stdoutWrite.Fd, stderrWrite.Fd, out pid);
        long spawnedAt = Stopwatch.GetTimestamp();
        if (spawnError != 0)
        {
            stdoutRead.Dispose();
            stderrRead.Dispose();
            return new Started { Error = DescribeSpawnError(spawnError, launch) };
        }
        return new Started { Pid = pid, Stdout = stdoutRead, Stderr = stderrRead, SpawnedAt = spawnedAt };
    }

    /// <summary>Pumps output until the child and its group are gone, on the calling thread; always releases the descriptors.</summary>
    public static ExecOutcome Wait(Started started, int? timeoutMs, CancellationToken cancellationToken)
    {
        if (started.Error is { } error)
            return Failed(error);
        int pid = started.Pid;
        using var pidFd = Libc.PidFdOpenOrInvalid(pid);
        using var wakeFd = Libc.EventFd(0, Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        var wake = cancellationToken.Register(static state =>
        {
            ulong one = 1;
            var fd = (SafeFileDescriptor)state!;
            if (!fd.IsInvalid && !fd.IsClosed)
                Libc.Write(fd, (byte*)&one, sizeof(ulong));
        }, wakeFd);

        var capture = new OutputCapture();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ReadChunk);
        try
        {
            return Pump(pid, pidFd, wakeFd, started.Stdout!, started.Stderr!, timeoutMs, cancellationToken, capture, chunk, started.SpawnedAt);
        }
        catch
        {
            // Never leave a running group or a zombie behind, whatever went wrong while pumping.
            Libc.Kill(-pid, Libc.SIGKILL);
            Libc.WaitPid(pid, out _, 0);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            capture.Dispose();
            started.Stdout?.Dispose();
            started.Stderr?.Dispose();
            wake.Dispose(); // before the eventfd closes (the using above), so a late cancel finds it open
        }
    }

    private static ExecOutcome Pump(int pid, SafeFileDescriptor pidFd, SafeFileDescriptor wakeFd, SafeFileDescriptor stdout, SafeFileDescriptor stderr, int? timeoutMs,
        CancellationToken cancellationToken, OutputCapture capture, byte[] chunk, long spawnedAt)
    {
        long? deadline = timeoutMs is > 0 ? spawnedAt + (long)timeoutMs.Value * Stopwatch.Frequency / 1000 : null;
        long drainDeadline = 0;
        bool reaped = false, timedOut = false, cancelled = false, groupKilled = false;
        int status = 0;
        long reapedAt = 0;
        var fds = stackalloc Libc.PollFd[4];
        // The handles outlive this method (the caller disposes them), so their raw numbers stay valid here.
        bool hasPidFd = !pidFd.IsInvalid;
        fds[0] = new Libc.PollFd { Fd = stdout.Fd, Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = stderr.Fd, Events = Libc.POLLIN };
        fds[2] = new Libc.PollFd { Fd = pidFd.Fd, Events = Libc.POLLIN };
        fds[3] = new Libc.PollFd { Fd = wakeFd.Fd, Events = Libc.POLLIN };

        fixed (byte* buffer = chunk)
        {
            while (true)
            {
                if (reaped && fds[0].Fd < 0 && fds[1].Fd < 0)
                    break;
                long now = Stopwatch.GetTimestamp();
                if (!reaped && !groupKilled)
                {
                    if (deadline is { } d && now >= d)
                    {
                        timedOut = true;
                        KillGroup(pid, ref groupKilled);
                    }
                    else if (cancellationToken.IsCancellationRequested)
                    {
                        cancelled = true;
                        KillGroup(pid, ref groupKilled);
                    }
                }
                if (reaped && now >= drainDeadline)
                    break;

                int wait = -1;
                if (reaped)
                    wait = MsUntil(drainDeadline, now);
                else if (!groupKilled && deadline is { } d2)
                    wait = MsUntil(d2, now);
                if (!reaped && !hasPidFd)
                    wait = wait < 0 ? 5 : Math.Min(wait, 5); // no pidfd: poll for the exit
                if (groupKilled && !reaped)
                    wait = wait < 0 ? 50 : Math.Min(wait, 50);

                int ready = Libc.Poll(fds, 4, wait);
                if (ready < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR)
                    throw new IOException($"poll failed: errno {Marshal.GetLastPInvokeError()}");

                for (int i = 0; i < 2; i++)
                {
                    if (fds[i].Fd < 0 || (fds[i].Revents & (Libc.POLLIN | Libc.POLLHUP | Libc.POLLERR | Libc.POLLNVAL)) == 0)
                        continue;
                    nint n = Libc.Read(i == 0 ? stdout : stderr, buffer, ReadChunk);
                    if (n > 0)
                        capture.Append(i == 1, new ReadOnlySpan<byte>(buffer, (int)n));
                    else if (n == 0 || Marshal.GetLastPInvokeError() != Libc.EINTR)
                        fds[i].Fd = -1; // end of file: poll ignores negative descriptors
                }
                if (fds[3].Fd >= 0 && (fds[3].Revents & Libc.POLLIN) != 0)
                {
                    fds[3].Fd = -1; // cancellation seen; the next turn kills the group
                    if (!reaped && !groupKilled)
                    {
                        cancelled = true;
                        KillGroup(pid, ref groupKilled);
                    }
                }
                if (!reaped && (!hasPidFd || (fds[2].Revents & Libc.POLLIN) != 0))
                {
                    // Stragglers in the group (background jobs, forked grandchildren) go with the leader.
                    // With a pidfd the leader is a zombie here, so its pid (the group id) cannot be reused yet.
                    if (hasPidFd)
                        Libc.Kill(-pid, Libc.SIGKILL);
                    int r = Libc.WaitPid(pid, out status, Libc.WNOHANG);
                    if (r == pid || (r < 0 && Marshal.GetLastPInvokeError() == Libc.ECHILD))
                    {
                        reaped = true;
                        reapedAt = Stopwatch.GetTimestamp();
                        fds[2].Fd = -1;
                        if (!hasPidFd)
                            Libc.Kill(-pid, Libc.SIGKILL);
                        drainDeadline = reapedAt + DrainAfterExitMs * Stopwatch.Frequency / 1000;
                    }
                }
            }
        }

        int? exitCode = null, termSignal = null;
        if ((status & 0x7f) == 0)
            exitCode = (status >> 8) & 0xff;
        else
            termSignal = status & 0x7f;
        if (timedOut && (exitCode is null or 0))
            exitCode = 124; // what `timeout(1)` and the reference host report
        return new ExecOutcome
        {
            ExitCode = exitCode,
            TermSignal = termSignal,
            TimedOut = timedOut,
            Cancelled = cancelled,
            Stdout = capture.Decode(stderr: false),
            Stderr = capture.Decode(stderr: true),
            Truncated = capture.Truncated,
            SpawnedAt = spawnedAt,
            ReapedAt = reapedAt,
        };
    }

    private static void KillGroup(int pid, ref bool killed)
    {
        Libc.Kill(-pid, Libc.SIGKILL);
        killed = true;
    }

    private static int MsUntil(long target, long now)
        => target <= now ? 0 : (int)Math.Min(int.MaxValue, (target - now) * 1000 / Stopwatch.Frequency + 1);

    private static int Spawn(ExecLaunch launch, int stdoutWrite, int stderrWrite, out int pid)
    {
        pid = 0;
        string execPath = launch.ExecutableFile is null ? launch.ExecutablePath : ExecLaunch.DescriptorPath(ExecLaunch.ExecutableFd);
        Span<ChildDescriptor> descriptors = stackalloc ChildDescriptor[4];
        int count = 0;
        descriptors[count++] = new(stdoutWrite, 1);
        descriptors[count++] = new(stderrWrite, 2);
        // The verified executable and script stay open in the child at fixed numbers (a script's interpreter opens
        // /dev/fd/N after exec), ordered so one copy never overwrites the other's source.
        int exe = launch.ExecutableFile is { } e ? (int)e.DangerousGetHandle() : -1;
        int script = launch.ScriptFile is { } s ? (int)s.DangerousGetHandle() : -1;
        if (exe == ExecLaunch.ScriptFd && script == ExecLaunch.ExecutableFd)
            return Libc.EBUSY; // cannot happen with fresh descriptors (0-2 are ours, 3-4 the runtime's)
        if (script == ExecLaunch.ExecutableFd)
        {
            descriptors[count++] = new(script, ExecLaunch.ScriptFd);
            script = -1;
        }
        if (exe >= 0) descriptors[count++] = new(exe, ExecLaunch.ExecutableFd);
        if (script >= 0) descriptors[count++] = new(script, ExecLaunch.ScriptFd);
        return ChildSpawn.Start(execPath, launch.Argv, launch.Environment, descriptors[..count], launch.WorkingDirectory, out pid);
    }

    private static string DescribeSpawnError(int errno, ExecLaunch launch)
    {
        string name = errno switch
        {
            2 => "ENOENT",
            7 => "E2BIG",
            13 => "EACCES",
            20 => "ENOTDIR",
            8 => "ENOEXEC",
            12 => "ENOMEM",
            _ => $"errno {errno}",
        };
        if (launch.WorkingDirectory is { } cwd && errno is 2 or 20 && !Directory.Exists(cwd))
            return $"node exec working directory {(File.Exists(cwd) ? "is not a directory" : "does not exist")} on the node host: {cwd} (os reported: spawn {name})";
        return errno == 7
            ? $"spawn E2BIG: the arguments or environment exceed the kernel's limit (one argument may be at most 128 KiB)"
            : $"spawn {launch.ExecutablePath} {name}";
    }

    private static ExecOutcome Failed(string error) => new() { Error = error };

    /// <summary>stdout and stderr kept up to the combined cap in pooled buffers; given back on dispose.</summary>
    private sealed class OutputCapture : IDisposable
    {
        private byte[]? _stdout, _stderr;
        private int _stdoutLength, _stderrLength;

        public bool Truncated { get; private set; }

        public void Append(bool stderr, ReadOnlySpan<byte> data)
        {
            int room = OutputCapBytes - _stdoutLength - _stderrLength;
            if (data.Length > room)
            {
                Truncated = true;
                data = data[..Math.Max(0, room)];
            }
            if (data.IsEmpty)
                return;
            ref byte[]? buffer = ref stderr ? ref _stderr : ref _stdout;
            ref int length = ref stderr ? ref _stderrLength : ref _stdoutLength;
            if (buffer is null || buffer.Length - length < data.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(OutputCapBytes, Math.Max(4096, Math.Max(length + data.Length, length * 2))));
                if (buffer is not null)
                {
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                buffer = bigger;
            }
            data.CopyTo(buffer.AsSpan(length));
            length += data.Length;
        }

        // Invalid UTF-8 from the child becomes U+FFFD: the result is JSON text.
        public string Decode(bool stderr)
            => stderr
                ? (_stderr is null ? "" : Encoding.UTF8.GetString(_stderr, 0, _stderrLength))
                : (_stdout is null ? "" : Encoding.UTF8.GetString(_stdout, 0, _stdoutLength));

        public void Dispose()
        {
            if (_stdout is not null) ArrayPool<byte>.Shared.Return(_stdout);
            if (_stderr is not null) ArrayPool<byte>.Shared.Return(_stderr);
            _stdout = _stderr = null;
        }
    }
}
