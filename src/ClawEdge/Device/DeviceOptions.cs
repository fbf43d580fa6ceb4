namespace ClawEdge.Device;

/// <summary>
/// The <c>Device</c> section: <c>device.info</c> and <c>device.status</c>, on by default. They only read what any
/// local user can read (board model, OS, temperatures, throttling flags, free space, interface types, uptime),
/// change nothing, and report no address or position; the gateway still admits them on Linux only through
/// <c>gateway.nodes.commands.allow</c>.
/// </summary>
public sealed class DeviceOptions
{
    public bool Enabled { get; set; } = true;
}
