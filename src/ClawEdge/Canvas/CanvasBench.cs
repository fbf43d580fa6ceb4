using System.Diagnostics;
using System.Globalization;
using ClawEdge.Cli;
using ClawEdge.Config;
using ClawEdge.Host;

namespace ClawEdge.Canvas;

/// <summary>
/// <c>clawedge canvas bench [rounds]</c>: the canvas's costs on this machine, without a gateway — browser start,
/// present → load event, <c>canvas.snapshot</c> and <c>screen.snapshot</c> (png and jpeg) of the configured display,
/// and the memory of the node and of the browser, each on its own. Figures for docs/PERFORMANCE.md (bench/canvas-bench.sh).
/// </summary>
internal static class CanvasBench
{
    public static async Task<int> RunAsync(CommandLine line)
    {
        if (line.Positionals.ElementAtOrDefault(0) != "bench")
            return Program.Fail("usage: clawedge canvas bench [rounds]   (Canvas:* from the config; the display from Canvas:Display, WAYLAND_DISPLAY or DISPLAY)", 2);
        int rounds = int.TryParse(line.Positionals.ElementAtOrDefault(1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) ? Math.Max(3, r) : 20;
        var options = ConfigLoader.Load(line.Option("--config"), line.ConfigOverrides);
        string profile = Path.Combine(Path.GetTempPath(), $"clawedge-canvas-bench-{Environment.ProcessId}");
        long nodeBefore = ProcessMemory.Rss(Environment.ProcessId);

        await using var browser = new CanvasBrowser(options.Canvas, profile, new NodeLink());
        var wall = Stopwatch.StartNew();
        await browser.PresentAsync(Colour("000000"), null, CancellationToken.None).ConfigureAwait(false);
        Console.Out.WriteLine($"browser start: {browser.LastStartMs} ms to the page attached, {wall.ElapsedMilliseconds} ms to the first present answered");

        var loads = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            string url = Colour(i % 2 == 0 ? "c81e28" : "1e28c8");
            long t = Stopwatch.GetTimestamp();
            await browser.PresentAsync(url, null, CancellationToken.None).ConfigureAwait(false);
            loads.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        Console.Out.WriteLine($"present → load event: {Stats(loads)}");

        foreach (string format in (string[])["png", "jpeg"])
        {
            var times = new List<double>();
            int w = 0, h = 0, chars = 0;
            for (int i = 0; i < rounds; i++)
            {
                long t = Stopwatch.GetTimestamp();
                var (base64, width, height) = await browser.SnapshotAsync(format, 0, 85, int.MaxValue, CancellationToken.None).ConfigureAwait(false);
                times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                (w, h, chars) = (width, height, base64.Length);
            }
            Console.Out.WriteLine($"canvas.snapshot {format} {w}x{h} ({chars} base64 chars): {Stats(times)}");
        }

        var screen = new ClawEdge.Screen.ScreenSnapshotCommand(new ClawEdge.Screen.ScreenOptions { Display = options.Canvas.Display });
        foreach (string format in (string[])["png", "jpeg"])
        {
            var times = new List<double>();
            int length = 0;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < rounds; i++)
            {
                var context = new InvokeContext { Id = "bench", Command = "screen.snapshot", ParamsJson = $$"""{"format":"{{format}}"}""" };
                long t = Stopwatch.GetTimestamp();
                var result = await screen.InvokeAsync(context, CancellationToken.None).ConfigureAwait(false);
                times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if (!result.Ok)
                    return Program.Fail($"screen.snapshot failed: {result.ErrorMessage}", 1);
                length = result.PayloadJson!.Length;
            }
            double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / rounds;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"screen.snapshot {format} ({length} JSON chars): {Stats(times)}; node CPU {cpuMs:F1} ms per snapshot"));
        }

        long nodeAfter = ProcessMemory.Rss(Environment.ProcessId);
        if (browser.BrowserPid is int pid)
        {
            var (rss, pss, count) = ProcessMemory.Group(pid);
            Console.Out.WriteLine($"chromium: {count} processes, RSS sum {rss / 1024} KiB, PSS sum {pss / 1024} KiB");
        }
        Console.Out.WriteLine($"node RSS: {nodeBefore / 1024} KiB before the browser, {nodeAfter / 1024} KiB after the rounds (includes the bench's own snapshots)");
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private static string Colour(string rgb) =>
        $"data:text/html,%3Chtml%20style%3D%22background%3A%23{rgb}%22%3E%3Ctitle%3E{rgb}%3C%2Ftitle%3E%3C%2Fhtml%3E";

    private static string Stats(List<double> values)
    {
        values.Sort();
        double P(double q) => values[Math.Min(values.Count - 1, (int)Math.Round(q * (values.Count - 1)))];
        return string.Create(CultureInfo.InvariantCulture, $"median {P(0.5):F1} ms, p90 {P(0.9):F1} ms, min {values[0]:F1} ms (n={values.Count})");
    }
}
