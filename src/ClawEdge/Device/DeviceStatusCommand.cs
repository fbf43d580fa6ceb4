using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Device;

/// <summary><c>device.status</c>: battery, temperatures, throttling, free space, network and uptime, read fresh at each call.</summary>
public sealed class DeviceStatusCommand(SystemFiles files) : NodeCommand
{
    public override string Name => "device.status";
    public override string Capability => "device";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        DeviceParams.Check(context);
        var status = DeviceStatusReader.Read(files);
        return Task.FromResult(CommandResult.Success(JsonSerializer.Serialize(status, DeviceJsonContext.Default.DeviceStatus)));
    }
}
