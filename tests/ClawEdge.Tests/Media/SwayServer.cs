using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Media;

/// <summary>
/// A real headless sway (wlroots, with wlr-screencopy) run as the unprivileged user <see cref="User"/> — sway
/// refuses root — in a fresh 0700 runtime directory of that user, its one output filled with a known colour.
/// </summary>
public sealed class SwayServer : IAsyncDisposable
{
    public const string User = "cewayland";

    private SwayServer(ChildProcess process, string runtimeDir, string socketName)
    {
        Process = process;
        RuntimeDir = runtimeDir;
        SocketName = socketName;
    }

    public ChildProcess Process { get; }

    /// <summary>The user's <c>XDG_RUNTIME_DIR</c> holding the socket.</summary>
    public string RuntimeDir { get; }

    /// <summary><c>WAYLAND_DISPLAY</c>, e.g. <c>wayland-1</c>.</summary>
    public string SocketName { get; }

    public string SocketPath => Path.Combine(RuntimeDir, SocketName);

    /// <summary>Creates the test user when missing (CI starts from a fresh machine).</summary>
    public static async Task EnsureUserAsync()
    {
        if ((await ChildProcess.RunAsync("id", ["-u", User])).ExitCode == 0)
            return;
        var (code, output) = await ChildProcess.RunAsync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", User]);
        if (code != 0)
            throw new InvalidOperationException($"useradd {User} failed: {output}");
    }

    /// <summary>A directory owned by <see cref="User"/> with mode 0700.</summary>
    public static async Task<string> UserDirAsync(string prefix)
    {
        string dir = Tools.TempDir(prefix);
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (code, output) = await ChildProcess.RunAsync("chown", [$"{User}:{User}", dir]);
        if (code != 0)
            throw new InvalidOperationException($"chown failed: {output}");
        return dir;
    }

    public static async Task<SwayServer> StartAsync(int width, int height, string solidColour)
    {
        await EnsureUserAsync();
        string runtime = await UserDirAsync("sway");
        string config = Path.Combine(runtime, "config");
        // No Xwayland (not needed, and cage/sway would look for it), no bar, one output of a known size and colour.
        await File.WriteAllTextAsync(config, $"""
            xwayland disable
            output * resolution {width}x{height} bg {solidColour} solid_color
            """);
        var process = ChildProcess.Start("setpriv", [$"--reuid={User}", $"--regid={User}", "--clear-groups", "--", "sway", "-c", config],
            new Dictionary<string, string?>
            {
                ["HOME"] = runtime,
                ["XDG_RUNTIME_DIR"] = runtime,
                ["WLR_BACKENDS"] = "headless",
                ["WLR_LIBINPUT_NO_DEVICES"] = "1",
                ["WLR_RENDERER"] = "pixman",
                ["WAYLAND_DISPLAY"] = null,
                ["DISPLAY"] = null,
            }, workingDirectory: runtime);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            string? socket = Directory.EnumerateFiles(runtime, "wayland-*").Select(Path.GetFileName).FirstOrDefault(n => !n!.EndsWith(".lock"));
            // The socket exists before sway has read its config; the IPC socket comes after the outputs are set up.
            if (socket is not null && Directory.EnumerateFiles(runtime, "sway-ipc.*").Any())
            {
                var server = new SwayServer(process, runtime, socket);
                try
                {
                    await server.WaitForColourAsync(solidColour, deadline);
                }
                catch
                {
                    await server.DisposeAsync();
                    throw;
                }
                return server;
            }
            await Task.Delay(50);
        }
        await process.DisposeAsync();
        string log = process.Output;
        Directory.Delete(runtime, recursive: true);
        throw new InvalidOperationException($"sway did not start: {log}");
    }

    /// <summary>swaybg paints the background a moment after the output appears: wait until the centre shows it.</summary>
    private async Task WaitForColourAsync(string colour, DateTime deadline)
    {
        int rgb = Convert.ToInt32(colour.TrimStart('#'), 16);
        using var capture = ClawEdge.Capture.Screen.WaylandScreenCapture.Open(SocketPath, 0);
        while (true)
        {
            var frame = capture.Grab(TimeSpan.Zero, 0);
            int at = frame.Height / 2 * frame.Stride + frame.Width / 2 * 4;
            int seen = frame.Data[at + 2] << 16 | frame.Data[at + 1] << 8 | frame.Data[at];
            if (seen == rgb)
                return;
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"sway shows {seen:X6}, not {colour}: {Process.Output}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Directory.Delete(RuntimeDir, recursive: true);
    }
}
