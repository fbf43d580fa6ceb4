using ClawEdge.Camera;
using ClawEdge.Device;
using ClawEdge.Exec;
using ClawEdge.Host;
using ClawEdge.Location;
using ClawEdge.Notify;
using ClawEdge.Screen;

namespace ClawEdge;

/// <summary>The composition root: every capability this build has, in the order `help` and `doctor` show them.</summary>
public static class Capabilities
{
    public static IReadOnlyList<Capability> All { get; } =
    [
        new ExecCapability(),
        new NotifyCapability(),
        new CameraCapability(),
        new ScreenCapability(),
        new Canvas.CanvasCapability(),
        new ClawEdge.Gpio.GpioCapability(),
        new LocationCapability(),
        new DeviceCapability(),
    ];
}
