namespace ClawEdge.Node;

/// <summary>The capabilities written as one folder each; the registry, the CLI and doctor walk this list.</summary>
public static class Capabilities
{
    public static IReadOnlyList<Capability> All { get; } =
    [
        new ClawEdge.Location.LocationCapability(),
        new ClawEdge.Device.DeviceCapability(),
    ];
}
