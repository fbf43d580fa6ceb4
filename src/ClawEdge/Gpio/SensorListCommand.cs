using System.Text.Json;
using ClawEdge.Gpio.Sensors;
using ClawEdge.Host;

namespace ClawEdge.Gpio;

/// <summary><c>sensor.list</c> → <c>{sensors: [{id, kind, bus, address}]}</c>: what is declared (nothing is probed).</summary>
public sealed class SensorListCommand(SensorCatalog sensors) : NodeCommand
{
    public override string Name => "sensor.list";
    public override string Capability => "sensor";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken) =>
        Task.FromResult(CommandResult.Success(JsonSerializer.Serialize(new SensorListResult { Sensors = sensors.List().ToList() }, GpioJsonContext.Default.SensorListResult)));
}
