using System.Diagnostics;
using ClawEdge.Logging;
using ClawEdge.Platform.Native;

namespace ClawEdge.Canvas;

/// <summary>
/// One Chromium the node started: kiosk mode on the configured display, its own profile under the state
/// directory, DevTools on fds 3/4 only (no TCP port). Its output goes to the node's debug log.
/// </summary>
internal sealed class ChromiumProcess : IDisposable
{
    private int _reaped;

    private ChromiumProcess(int pid, DevToolsPipeConnection connection, SafeFileDescriptor output)
    {
        Pid = pid;
        Connection = connection;
        new Thread(() => PumpOutput(output)) { IsBackground = true, Name = "canvas-chromium-log" }.Start();
    }

    public int Pid { get; }
    public DevToolsPipeConnection Connection { get; }

    /// <summary>Set once the process was reaped: its raw wait status.</summary>
    public int? ExitStatus { get; private set; }

    /// <param name="firstUrl">Shown by <c>--app</c> before DevTools is even attached (no white flash at start).</param>
    public static ChromiumProcess Start(CanvasOptions options, string profileDirectory, string firstUrl)
    {
        string browser = ResolveExecutable(options.Browser)
            ?? throw new CanvasException($"the canvas browser '{options.Browser}' was not found (Canvas:Browser; on Debian and Raspberry Pi OS: apt install chromium)");
        var (display, wayland) = ChooseDisplay(options.Display);
        if (string.IsNullOrEmpty(display))
            throw new CanvasException("no display for the canvas: set Canvas:Display, or run the node with WAYLAND_DISPLAY or DISPLAY");
        Directory.CreateDirectory(profileDirectory);

        var argv = new List<string>
        {
            browser,
            "--remote-debugging-pipe",
            $"--user-data-dir={profileDirectory}",
            "--kiosk",
            // Quiet on a closed network, and nothing on screen but the page.
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-extensions", "--noerrdialogs", "--disable-infobars",
            "--disable-session-crashed-bubble", "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--password-store=basic", "--autoplay-policy=no-user-gesture-required", "--hide-crash-restore-bubble",
            wayland ? "--ozone-platform=wayland" : "--ozone-platform=x11",
        };
        // Chromium will not start its sandbox as root; a kiosk service should run as its own user.
        if (Libc.GetEuid() == 0)
            argv.Add("--no-sandbox");
        if (options.BrowserArgs is { } extra)
            argv.AddRange(extra.Where(a => !string.IsNullOrWhiteSpace(a)));
        argv.Add($"--app={firstUrl}");

        var environment = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            string key = (string)e.Key;
            if (key is "DISPLAY" or "WAYLAND_DISPLAY")
                continue;
            environment.Add($"{key}={e.Value}");
        }
        environment.Add(wayland ? $"WAYLAND_DISPLAY={display}" : $"DISPLAY={display}");

        long started = Stopwatch.GetTimestamp();
        var (pid, commandWrite, replyRead, outputRead) = Spawn(browser, argv, environment);
        Log.Info($"canvas: started {browser} (pid {pid}) on {(wayland ? "Wayland" : "X11")} display {display} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
        return new ChromiumProcess(pid, new DevToolsPipeConnection(commandWrite, replyRead), outputRead);
    }

    /// <summary>
    /// <c>--remote-debugging-pipe</c>: the browser reads DevTools commands on its fd 3 and writes replies on fd 4;
    /// its stdout and stderr share a third pipe. Our ends stay close-on-exec and above 4, so only the copies reach it.
    /// </summary>
    private static (int Pid, SafeFileDescriptor CommandWrite, SafeFileDescriptor ReplyRead, SafeFileDescriptor OutputRead) Spawn(
        string browser, List<string> argv, List<string> environment)
    {
        SafeFileDescriptor? commandRead = null, commandWrite = null, replyRead = null, replyWrite = null, outputRead = null, outputWrite = null;
        bool started = false;
        try
        {
            if (!Libc.Pipe(out commandRead, out commandWrite, lowestFd: 5) || !Libc.Pipe(out replyRead, out replyWrite, lowestFd: 5)
                || !Libc.Pipe(out outputRead, out outputWrite, lowestFd: 5))
                throw new CanvasException($"cannot start {browser}: pipe: {Libc.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
            ReadOnlySpan<ChildDescriptor> descriptors =
                [new(outputWrite.Fd, 1), new(outputWrite.Fd, 2), new(commandRead.Fd, 3), new(replyWrite.Fd, 4)];
            int rc = ChildSpawn.Start(browser, argv, environment, descriptors, workingDirectory: null, out int pid);
            if (rc != 0)
                throw new CanvasException($"cannot start {browser}: {Libc.Describe(rc)}");
            started = true;
            return (pid, commandWrite, replyRead, outputRead);
        }
        finally
        {
            // The child's ends are its own now (or nobody's); ours stay open only for a started browser.
            commandRead?.Dispose();
            replyWrite?.Dispose();
            outputWrite?.Dispose();
            if (!started)
            {
                commandWrite?.Dispose();
                replyRead?.Dispose();
                outputRead?.Dispose();
            }
        }
    }

    /// <summary>Same rule as <c>screen.record</c>: a name with a colon is an X display, anything else a Wayland socket.</summary>
    internal static (string? Display, bool Wayland) ChooseDisplay(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
            return (configured, !configured.Contains(':'));
        string? wayland = Environment.GetEnvironmentVariable("WAYLAND_DISPLAY");
        if (!string.IsNullOrEmpty(wayland))
            return (wayland, true);
        return (Environment.GetEnvironmentVariable("DISPLAY"), false);
    }

    internal static string? ResolveExecutable(string name) =>
        name.Contains('/') ? (File.Exists(name) ? name : null) : ClawEdge.Platform.ExecutableResolver.Find(name);

    private static void PumpOutput(SafeFileDescriptor fd)
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                int n = Libc.Read(fd, buffer);
                if (n <= 0)
                    return;
                if (Log.Level >= LogLevel.Debug)
                    foreach (var line in System.Text.Encoding.UTF8.GetString(buffer, 0, n).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                        Log.Debug($"chromium: {line}");
            }
        }
        finally
        {
            fd.Dispose();
        }
    }

    /// <summary>Reaps the process if it exited; true when it is gone.</summary>
    public bool TryReap()
    {
        if (Volatile.Read(ref _reaped) != 0)
            return true;
        if (Libc.WaitPid(Pid, out int status, Libc.WNOHANG) != Pid)
            return false;
        ExitStatus = status;
        Volatile.Write(ref _reaped, 1);
        return true;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the exit; true when reaped.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        long until = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!TryReap())
        {
            if (Environment.TickCount64 > until)
                return false;
            await Task.Delay(25).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>SIGKILL to the whole group (browser, zygote, renderers, GPU process), then reap.</summary>
    public async Task KillAsync()
    {
        if (!TryReap())
        {
            Libc.Kill(-Pid, Libc.SIGKILL);
            await WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        else
        {
            // The browser is gone but a renderer may linger in its group.
            Libc.Kill(-Pid, Libc.SIGKILL);
        }
    }

    /// <summary>How a wait status reads in a log line.</summary>
    public static string Describe(int? status) => status switch
    {
        null => "still running",
        { } s when (s & 0x7f) == 0 => $"exit code {(s >> 8) & 0xff}",
        { } s => $"signal {s & 0x7f}",
    };

    public void Dispose()
    {
        Connection.Dispose();
        if (TryReap())
            Connection.CloseReader();
    }
}
