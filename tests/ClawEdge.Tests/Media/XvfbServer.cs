using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Media;

/// <summary>A real Xvfb on a free display number, its root window painted one known colour.</summary>
public sealed class XvfbServer : IAsyncDisposable
{
    private XvfbServer(ChildProcess process, string display)
    {
        Process = process;
        Display = display;
    }

    public ChildProcess Process { get; }

    /// <summary><c>:NN</c>.</summary>
    public string Display { get; }

    public static async Task<XvfbServer> StartAsync(int width, int height, string solidColour, string extra = "")
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            int number = Random.Shared.Next(40, 400);
            if (File.Exists($"/tmp/.X11-unix/X{number}") || File.Exists($"/tmp/.X{number}-lock"))
                continue;
            // -noreset: otherwise the server wipes the root window when its last client (xsetroot) leaves.
            var args = new List<string> { $":{number}", "-screen", "0", $"{width}x{height}x24", "-noreset", "-nolisten", "tcp" };
            if (extra.Length > 0)
                args.AddRange(extra.Split(' '));
            var process = ChildProcess.Start("Xvfb", args);
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline && !process.HasExited && !File.Exists($"/tmp/.X11-unix/X{number}"))
                await Task.Delay(50);
            if (process.HasExited || !File.Exists($"/tmp/.X11-unix/X{number}"))
            {
                await process.DisposeAsync();
                continue;
            }
            var server = new XvfbServer(process, $":{number}");
            var (code, output) = await ChildProcess.RunAsync("xsetroot", ["-display", server.Display, "-solid", solidColour]);
            if (code != 0)
                throw new InvalidOperationException($"xsetroot failed: {output}");
            return server;
        }
        throw new InvalidOperationException("could not start Xvfb");
    }

    public void Kill() => Process.Signal(Interop.Mono.SIGKILL);

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}
