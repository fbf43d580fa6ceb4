using ClawEdge.Capture;
using ClawEdge.Capture.Screen;
using ClawEdge.Tests.Interop;
using TUnit.Core.Interfaces;

namespace ClawEdge.Tests.Media;

/// <summary>
/// A real headless sway painted a known colour, one real gateway allowing <c>screen.record</c>, and our
/// published node run as the compositor's own user (the socket is that user's), its surface approved.
/// </summary>
public sealed class WaylandNodeFixture : IAsyncInitializer, IAsyncDisposable
{
    public const string Colour = "#2A7FD4";

    public SwayServer Sway { get; private set; } = null!;
    public RealGateway Gateway { get; private set; } = null!;
    public EdgeNode Node { get; private set; } = null!;
    public string NodeId { get; private set; } = "";
    private string _stateDir = "";

    public async Task InitializeAsync()
    {
        Sway = await SwayServer.StartAsync(640, 480, Colour);
        Gateway = await RealGateway.StartAsync(ScreenNodeFixture.AllowMedia());
        _stateDir = await SwayServer.UserDirAsync("wlnode");
        Node = EdgeNode.StartAsUser(SwayServer.User, Gateway, _stateDir, new Dictionary<string, string?>
        {
            ["HOME"] = _stateDir,
            ["XDG_RUNTIME_DIR"] = Sway.RuntimeDir,
            ["WAYLAND_DISPLAY"] = Sway.SocketName,
            ["DISPLAY"] = null,
            ["CLAWEDGE_Screen__Enabled"] = "true",
        });
        NodeId = await Node.ConnectAndApproveAsync(Gateway);
    }

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
            await Node.DisposeAsync();
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        if (Sway is not null)
            await Sway.DisposeAsync();
        if (_stateDir.Length > 0 && Directory.Exists(_stateDir))
            Directory.Delete(_stateDir, recursive: true);
    }
}

/// <summary><c>screen.record</c> of a wlroots compositor through wlr-screencopy, through the real gateway and CLI.</summary>
[NotInParallel(nameof(ScreenRecordInteropTests))]
[ClassDataSource<WaylandNodeFixture>(Shared = SharedType.PerClass)]
public class WaylandScreenTests(WaylandNodeFixture fx)
{
    [Test]
    public async Task Cli_records_2s_of_the_sway_output_as_h264()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ce-wlscreen-{Guid.NewGuid():N}.mp4");
        try
        {
            var (code, output) = await fx.Gateway.CliAsync("nodes", "screen", "record", "--node", fx.NodeId, "--duration", "2s", "--out", path, "--json");
            await Assert.That(code).IsEqualTo(0).Because(output + fx.Node.Process.Output);
            await Assert.That(fx.Node.Process.Output).Contains("via wlr-screencopy");
            var probe = await MediaProbe.ProbeAsync(path);
            await Assert.That(probe.Codec).IsEqualTo("h264");
            await Assert.That(probe.Width).IsEqualTo(640);
            await Assert.That(probe.Duration).IsEqualTo(2.0).Within(0.1);
            await Assert.That(probe.Frames).IsBetween(14, 20); // 10 fps; late grabs on a loaded box skip slots
            await Assert.That(await MediaProbe.DecodeErrorsAsync(path)).IsEmpty();
            var (r, g, b) = await MediaProbe.PixelAsync(path, 1.0, 320, 240);
            await Assert.That(r).IsBetween(0x2A - 12, 0x2A + 12);
            await Assert.That(g).IsBetween(0x7F - 12, 0x7F + 12);
            await Assert.That(b).IsBetween(0xD4 - 12, 0xD4 + 12);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task The_node_runs_as_the_compositor_user()
    {
        string status = await File.ReadAllTextAsync($"/proc/{fx.Node.Process.Pid}/status");
        string uid = status.Split('\n').First(l => l.StartsWith("Uid:"));
        var (_, id) = await ChildProcess.RunAsync("id", ["-u", SwayServer.User]);
        await Assert.That(uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]).IsEqualTo(id.Trim());
        await Assert.That(id.Trim()).IsNotEqualTo("0");
    }

    [Test]
    public async Task A_missing_output_is_a_bad_request_and_the_node_stays_connected()
    {
        var (code, output) = await ScreenNodeFixture.InvokeAsync(fx.Gateway, fx.NodeId, "screen.record", """{"durationMs":250,"screenIndex":3}""");
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(output).Contains("screen 3 does not exist");
        var (again, second) = await ScreenNodeFixture.InvokeAsync(fx.Gateway, fx.NodeId, "screen.record", """{"durationMs":250,"fps":4}""");
        await Assert.That(again).IsEqualTo(0).Because(second);
        await Assert.That((string)ScreenNodeFixture.Payload(second)["capture"]!).IsEqualTo("wlr-screencopy");
    }

    [Test]
    public async Task Grabs_read_the_known_colour_and_allocate_nothing_after_the_first()
    {
        // In-process (as root, which the socket's mode does not stop): the capture itself, no encoder.
        using var capture = WaylandScreenCapture.Open(fx.Sway.SocketPath, 0);
        await Assert.That((capture.Width, capture.Height)).IsEqualTo((640, 480));
        await Assert.That(capture.PixelFormat).IsEqualTo(PixelFormat.Bgrx32);
        var (first, allocated, centre) = GrabMany(capture, 10);
        await Assert.That(first).IsEqualTo((0xD4, 0x7F, 0x2A));
        await Assert.That(centre).IsEqualTo((0xD4, 0x7F, 0x2A));
        await Assert.That(allocated).IsEqualTo(0L);
    }

    private static ((int B, int G, int R) First, long Allocated, (int B, int G, int R) Last) GrabMany(WaylandScreenCapture capture, int count)
    {
        var first = Centre(capture.Grab(TimeSpan.Zero, 0));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var last = first;
        for (int i = 1; i <= count; i++)
            last = Centre(capture.Grab(TimeSpan.FromMilliseconds(i), i));
        return (first, GC.GetAllocatedBytesForCurrentThread() - before, last);
    }

    private static (int B, int G, int R) Centre(Frame frame)
    {
        int at = frame.Height / 2 * frame.Stride + frame.Width / 2 * 4;
        return (frame.Data[at], frame.Data[at + 1], frame.Data[at + 2]);
    }

    [Test]
    public async Task No_compositor_is_unavailable()
    {
        var error = await Assert.That(() => WaylandScreenCapture.Open(Path.Combine(fx.Sway.RuntimeDir, "wayland-none"), 0)).Throws<ScreenException>();
        await Assert.That(error!.Error).IsEqualTo(ScreenError.Unavailable);
    }
}
