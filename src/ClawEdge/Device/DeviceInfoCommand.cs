using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Device;

/// <summary><c>device.info</c>: board, OS, kernel, node version and locale, read at each call (they change only on upgrade).</summary>
public sealed class DeviceInfoCommand(SystemFiles files, string? displayName) : NodeCommand
{
    public override string Name => "device.info";
    public override string Capability => "device";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        DeviceParams.Check(context);
        var info = DeviceInfoReader.Read(files, displayName, Environment.GetEnvironmentVariable);
        return Task.FromResult(CommandResult.Success(JsonSerializer.Serialize(info, DeviceJsonContext.Default.DeviceInfo)));
    }
}
