using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;
using ClawEdge.Tests.Media;

namespace ClawEdge.Tests.Canvas;

/// <summary>
/// The kiosk canvas through the real gateway and the real <c>openclaw</c> CLI, on a real Chromium the node owns under
/// Xvfb: what the operator asks for is what <c>screen.snapshot</c> (and <c>screen.record</c>) see on the screen.
/// </summary>
[NotInParallel(nameof(CanvasInteropTests))]
[ClassDataSource<CanvasNodeFixture>(Shared = SharedType.Keyed, Key = "canvas-node")]
public class CanvasInteropTests(CanvasNodeFixture fx)
{
    private const int CentreX = CanvasNodeFixture.Width / 2, CentreY = CanvasNodeFixture.Height / 2;

    [Test]
    public async Task Present_fills_the_screen_with_the_page_as_screen_snapshot_and_screen_record_see_it()
    {
        var (code, output) = await fx.Gateway.CliAsync("nodes", "canvas", "present", "--node", fx.NodeId, "--target", fx.Page("red"));
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That(output).Contains("canvas present ok");

        var centre = await fx.ScreenPixelAsync(CentreX, CentreY);
        await Assert.That(CanvasPages.Near(centre, CanvasPages.Red)).IsTrue().Because($"centre is {centre}");
        // Full screen: the corners too (a pixel in from the edge: Chromium keeps an X11 window 1 px short without a window manager).
        var corner = await fx.ScreenPixelAsync(10, CanvasNodeFixture.Height - 10);
        await Assert.That(CanvasPages.Near(corner, CanvasPages.Red)).IsTrue().Because($"corner is {corner}");

        var (recordCode, record, recordOutput) = await fx.InvokeAsync("screen.record", """{"durationMs":1000,"fps":4}""");
        await Assert.That(recordCode).IsEqualTo(0).Because(recordOutput);
        string clip = await MediaProbe.SaveBase64Async(record!);
        try
        {
            var frame = await MediaProbe.PixelAsync(clip, 0.5, CentreX, CentreY);
            await Assert.That(CanvasPages.Near(frame, CanvasPages.Red, 16)).IsTrue().Because($"recorded frame shows {frame}");
        }
        finally
        {
            File.Delete(clip);
        }
    }

    [Test]
    public async Task Present_with_a_placement_puts_the_page_in_that_rectangle_and_hide_takes_it_away()
    {
        var (code, output) = await fx.Gateway.CliAsync("nodes", "canvas", "present", "--node", fx.NodeId, "--target", fx.Page("blue"),
            "--x", "100", "--y", "50", "--width", "300", "--height", "200", "--json");
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That(output).Contains("blue page");

        string path = await fx.ScreenPngAsync();
        try
        {
            var inside = await MediaProbe.PixelAsync(path, 0, 250, 150);
            var nearTopLeft = await MediaProbe.PixelAsync(path, 0, 105, 55);
            var nearBottomRight = await MediaProbe.PixelAsync(path, 0, 395, 245);
            var leftOf = await MediaProbe.PixelAsync(path, 0, 90, 150);
            var below = await MediaProbe.PixelAsync(path, 0, 250, 260);
            await Assert.That(CanvasPages.Near(inside, CanvasPages.Blue)).IsTrue().Because($"inside {inside}");
            await Assert.That(CanvasPages.Near(nearTopLeft, CanvasPages.Blue)).IsTrue().Because($"top left {nearTopLeft}");
            await Assert.That(CanvasPages.Near(nearBottomRight, CanvasPages.Blue)).IsTrue().Because($"bottom right {nearBottomRight}");
            await Assert.That(CanvasPages.Near(leftOf, CanvasPages.Blue)).IsFalse().Because($"left of the rectangle {leftOf}");
            await Assert.That(CanvasPages.Near(below, CanvasPages.Blue)).IsFalse().Because($"below the rectangle {below}");
        }
        finally
        {
            File.Delete(path);
        }

        (code, output) = await fx.Gateway.CliAsync("nodes", "canvas", "hide", "--node", fx.NodeId);
        await Assert.That(code).IsEqualTo(0).Because(output);
        var hidden = await fx.ScreenPixelAsync(250, 150);
        await Assert.That(CanvasPages.Near(hidden, CanvasPages.Blue)).IsFalse().Because($"after hide {hidden}");
        await Assert.That(hidden.R + hidden.G + hidden.B).IsLessThan(30).Because($"hide shows black without Canvas:Home, saw {hidden}");

        // Present again without a placement: full screen, and the page that was hidden.
        (code, output) = await fx.Gateway.CliAsync("nodes", "canvas", "present", "--node", fx.NodeId);
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That(CanvasPages.Near(await fx.ScreenPixelAsync(CentreX + 200, CentreY + 200), CanvasPages.Blue)).IsTrue();
    }

    [Test]
    public async Task Navigate_changes_the_colour_and_reports_title_and_final_url()
    {
        var (code, output) = await fx.Gateway.CliAsync("nodes", "canvas", "present", "--node", fx.NodeId, "--target", fx.Page("red"));
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That(CanvasPages.Near(await fx.ScreenPixelAsync(CentreX, CentreY), CanvasPages.Red)).IsTrue();

        (code, output) = await fx.Gateway.CliAsync("nodes", "canvas", "navigate", fx.Page("green"), "--node", fx.NodeId, "--json");
        await Assert.That(code).IsEqualTo(0).Because(output);
        var payload = JsonNode.Parse(output[output.IndexOf('{')..])!["payload"]!;
        await Assert.That((bool)payload["ok"]!).IsTrue();
        await Assert.That((string)payload["title"]!).IsEqualTo("green page");
        await Assert.That((string)payload["finalUrl"]!).IsEqualTo(fx.Page("green"));
        var centre = await fx.ScreenPixelAsync(CentreX, CentreY);
        await Assert.That(CanvasPages.Near(centre, CanvasPages.Green)).IsTrue().Because($"centre is {centre}");
    }

    [Test]
    public async Task Eval_returns_the_document_title_and_errors_are_clear_while_the_node_stays_connected()
    {
        await fx.InvokeAsync("canvas.navigate", $$"""{"url":"{{fx.Page("red")}}"}""");
        var (code, payload, output) = await fx.InvokeAsync("canvas.eval", """{"javaScript":"document.title"}""");
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That((string)payload!["result"]!).IsEqualTo("red page");

        (code, payload, output) = await fx.InvokeAsync("canvas.eval", """{"javaScript":"({a: 1, b: [2, 3]})"}""");
        await Assert.That((string)payload!["result"]!).IsEqualTo("""{"a":1,"b":[2,3]}""");

        (code, _, output) = await fx.InvokeAsync("canvas.eval", """{"javaScript":"throw new Error('boom from the test')"}""");
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("INVALID_REQUEST");
        await Assert.That(output).Contains("boom from the test");

        // A promise that never settles, then a script that never yields: both end as a timeout within the invoke.
        (code, _, output) = await fx.InvokeAsync("canvas.eval", """{"javaScript":"new Promise(() => {})"}""", timeoutMs: 6000);
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("TIMEOUT");
        await Assert.That(output).Contains("canvas.eval did not finish");
        (code, _, output) = await fx.InvokeAsync("canvas.eval", """{"javaScript":"while (true) {}"}""", timeoutMs: 6000);
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("TIMEOUT");

        // The page survived the busy loop, and the link the whole series.
        (code, payload, output) = await fx.InvokeAsync("canvas.eval", """{"javaScript":"document.title"}""");
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That((string)payload!["result"]!).IsEqualTo("red page");
        await Assert.That(await fx.NodeAnswersAsync()).IsTrue();
    }

    [Test]
    [Arguments("javascript:alert(1)", "javascript: URLs are not allowed")]
    [Arguments("chrome://settings", "chrome: URLs are not allowed")]
    [Arguments("devtools://devtools/bundled/inspector.html", "devtools: URLs are not allowed")]
    [Arguments("file:///etc/passwd", "outside Canvas:FilesDirectory")]
    [Arguments("http://", "not a valid http URL")]
    public async Task Urls_outside_the_policy_are_refused_with_the_reason(string url, string reason)
    {
        var (code, _, output) = await fx.InvokeAsync("canvas.navigate", new JsonObject { ["url"] = url }.ToJsonString());
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("INVALID_REQUEST");
        await Assert.That(output).Contains(reason);
    }

    [Test]
    public async Task A_100_KB_url_and_a_page_that_cannot_load_give_clear_errors()
    {
        string huge = "https://example.invalid/?q=" + new string('a', 100 * 1024);
        var (code, _, output) = await fx.InvokeAsync("canvas.present", $$"""{"url":"{{huge}}"}""");
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("INVALID_REQUEST");
        await Assert.That(output).Contains("takes at most 16384");

        int closed = Tools.FreePort();
        (code, _, output) = await fx.InvokeAsync("canvas.navigate", $$"""{"url":"http://127.0.0.1:{{closed}}/"}""");
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("did not load: net::ERR_CONNECTION_REFUSED");

        (code, _, output) = await fx.InvokeAsync("canvas.present", """{"url":"https://a.invalid/","placement":{"width":-5}}""");
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("placement.width must be at least 1");
        await Assert.That(await fx.NodeAnswersAsync()).IsTrue();
    }

    [Test]
    [Arguments("jpeg", 400)]
    [Arguments("png", 320)]
    public async Task Canvas_snapshot_decodes_at_the_asked_width(string format, int width)
    {
        await fx.InvokeAsync("canvas.present", $$"""{"url":"{{fx.Page("blue")}}"}""");
        var (code, payload, output) = await fx.InvokeAsync("canvas.snapshot", $$"""{"format":"{{format}}","maxWidth":{{width}},"quality":0.8}""");
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That((string)payload!["format"]!).IsEqualTo(format);
        await Assert.That((int)payload["width"]!).IsEqualTo(width);
        string path = await CanvasNodeFixture.SaveImageAsync(payload);
        try
        {
            // A real decoder: djpeg for JPEG, ffprobe for PNG.
            if (format == "jpeg")
            {
                var (djpeg, header) = await ChildProcess.RunAsync("djpeg", ["-verbose", "-outfile", "/dev/null", path]);
                await Assert.That(djpeg).IsEqualTo(0).Because(header);
                await Assert.That(header).Contains($"width={width},");
            }
            var (probe, text) = await ChildProcess.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", path]);
            await Assert.That(probe).IsEqualTo(0).Because(text);
            var size = text.Trim().Split(',');
            await Assert.That(int.Parse(size[0])).IsEqualTo(width);
            await Assert.That(int.Parse(size[1])).IsEqualTo((int)payload["height"]!);
            var (r, g, b) = await MediaProbe.PixelAsync(path, 0, width / 2, (int)payload["height"]! / 2);
            await Assert.That(CanvasPages.Near((r, g, b), CanvasPages.Blue, 16)).IsTrue().Because($"snapshot shows {(r, g, b)}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Screen_snapshot_params_are_strict_and_its_result_has_the_contract_shape()
    {
        var (code, payload, output) = await fx.InvokeAsync("screen.snapshot", """{"screenIndex":0,"maxWidth":400,"quality":0.7,"format":"jpeg"}""");
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That((string)payload!["format"]!).IsEqualTo("jpeg");
        await Assert.That((int)payload["width"]!).IsEqualTo(400);
        await Assert.That((int)payload["height"]!).IsEqualTo(300);
        await Assert.That((int)payload["screenIndex"]!).IsEqualTo(0);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Assert.That((long)payload["capturedAtMs"]!).IsBetween(now - 60_000, now);

        (code, _, output) = await fx.InvokeAsync("screen.snapshot", """{"format":"jpeg","colour":"red"}""");
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("INVALID_REQUEST");
        (code, _, output) = await fx.InvokeAsync("screen.snapshot", """{"format":"gif"}""");
        await Assert.That(output).Contains("must be \\\"jpeg\\\" or \\\"png\\\"");
    }

    [Test]
    public async Task A_killed_browser_is_started_again_and_the_next_present_works()
    {
        await fx.InvokeAsync("canvas.present", $$"""{"url":"{{fx.Page("green")}}"}""");
        int readyLines = CountLines("canvas: browser ready");
        int pid = BrowserPid();
        await Assert.That(Interop.Mono.Kill(pid, Interop.Mono.SIGKILL)).IsEqualTo(0);

        int from = fx.Node.Process.LineCount;
        await fx.Node.Process.WaitForLineAsync("canvas: the browser went away", TimeSpan.FromSeconds(20), from);
        await fx.Node.Process.WaitForLineAsync("canvas: browser ready", TimeSpan.FromSeconds(60), from);
        await Assert.That(CountLines("canvas: browser ready")).IsEqualTo(readyLines + 1);
        await Assert.That(BrowserPid()).IsNotEqualTo(pid);
        // It shows again what it showed before it died.
        await Assert.That(CanvasPages.Near(await fx.ScreenPixelAsync(CentreX, CentreY), CanvasPages.Green)).IsTrue();

        var (code, output) = await fx.Gateway.CliAsync("nodes", "canvas", "present", "--node", fx.NodeId, "--target", fx.Page("red"));
        await Assert.That(code).IsEqualTo(0).Because(output);
        await Assert.That(CanvasPages.Near(await fx.ScreenPixelAsync(CentreX, CentreY), CanvasPages.Red)).IsTrue();
        await Assert.That(await fx.NodeAnswersAsync()).IsTrue();
    }

    [Test]
    public async Task The_node_memory_stays_flat_while_the_browser_is_measured_apart()
    {
        // Warm: the first snapshots and loads grow the node's pools once.
        for (int i = 0; i < 3; i++)
            await fx.InvokeAsync("canvas.snapshot", """{"format":"png"}""");
        long before = ClawEdge.Canvas.ProcessMemory.Rss(fx.Node.Process.Pid);
        for (int i = 0; i < 10; i++)
        {
            await fx.InvokeAsync("canvas.navigate", $$"""{"url":"{{fx.Page(i % 2 == 0 ? "red" : "blue")}}"}""");
            await fx.InvokeAsync("canvas.snapshot", """{"format":"png"}""");
        }
        long after = ClawEdge.Canvas.ProcessMemory.Rss(fx.Node.Process.Pid);
        var (browserRss, browserPss, processes) = ClawEdge.Canvas.ProcessMemory.Group(BrowserPid());
        Console.WriteLine($"node RSS {before / 1024} → {after / 1024} KiB; chromium {processes} processes, RSS {browserRss / 1024} KiB, PSS {browserPss / 1024} KiB");
        await Assert.That(after - before).IsLessThan(8L << 20);
        // The browser is its own processes: far larger than the node, and none of it in the node's RSS.
        await Assert.That(processes).IsGreaterThanOrEqualTo(2);
        await Assert.That(browserPss).IsGreaterThan(after);
        await Assert.That(after).IsLessThan(60L << 20);
    }

    private int CountLines(string text) => fx.Node.Process.Output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>The browser the node started: the one chromium whose profile is under the node's state directory.</summary>
    private int BrowserPid()
    {
        string profile = $"--user-data-dir={Path.Combine(fx.Node.StateDir, "canvas-profile")}";
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            try
            {
                var args = File.ReadAllText($"{dir}/cmdline").Split('\0');
                if (args.Contains(profile) && !args.Any(a => a.StartsWith("--type=", StringComparison.Ordinal)))
                    return pid;
            }
            catch (IOException)
            {
            }
        }
        throw new InvalidOperationException("no chromium with the node's profile is running");
    }
}
