using ClawEdge.Capture.Screen;
using ClawEdge.Screen;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Media;

/// <summary>A compositor that dies under a capture, with a sway of its own; and which display server a setting picks.</summary>
[NotInParallel(nameof(ScreenRecordInteropTests))]
public class WaylandCompositorLossTests
{
    [Test]
    public async Task A_killed_compositor_makes_the_next_grab_lost_and_dispose_quiet()
    {
        var sway = await SwayServer.StartAsync(320, 240, "#102030");
        try
        {
            var capture = WaylandScreenCapture.Open(sway.SocketPath, 0);
            await Assert.That(Blue(capture)).IsEqualTo(0x30);
            sway.Process.Signal(Interop.Mono.SIGKILL);
            await sway.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var error = await Assert.That(() => capture.Grab(TimeSpan.Zero, 1)).Throws<ScreenException>();
            await Assert.That(error!.Error).IsEqualTo(ScreenError.Lost);
            capture.Dispose();
        }
        finally
        {
            await sway.DisposeAsync();
        }
    }

    private static int Blue(WaylandScreenCapture capture)
    {
        var frame = capture.Grab(TimeSpan.Zero, 0);
        return frame.Data[frame.Height / 2 * frame.Stride + frame.Width / 2 * 4];
    }

    [Test]
    [Arguments(":0", false)]
    [Arguments("localhost:10.0", false)]
    [Arguments("wayland-1", true)]
    [Arguments("/run/user/1000/wayland-0", true)]
    public async Task A_configured_display_with_a_colon_is_x11_else_a_wayland_socket(string configured, bool wayland)
    {
        var (display, isWayland) = ScreenRecordCommand.ChooseDisplay(configured);
        await Assert.That(display).IsEqualTo(configured);
        await Assert.That(isWayland).IsEqualTo(wayland);
    }
}
