using System.Text.Json;
using ClawEdge.Gpio.Sensors;
using ClawEdge.Host;

namespace ClawEdge.Gpio;

/// <summary><c>sensor.read {id}</c> → <c>{id, kind, values: {temperatureC?, pressureHpa?, humidityPercent?, lux?, …}, timestamp}</c>.</summary>
public sealed class SensorReadCommand(SensorCatalog sensors) : NodeCommand
{
    public override string Name => "sensor.read";
    public override string Capability => "sensor";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var p = context.ReadParams(GpioJsonContext.Default.SensorIdParams);
        // The bus transfers and the conversion waits block for a few to 180 ms: off the link's thread.
        return Task.Run(() =>
        {
            try
            {
                var reading = sensors.Read(p?.Id);
                return CommandResult.Success(JsonSerializer.Serialize(new SensorReadResult
                {
                    Id = p!.Id!, Kind = reading.Kind, Values = reading.Values, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                }, GpioJsonContext.Default.SensorReadResult));
            }
            catch (GpioException e)
            {
                throw PinParameter.Fail(e);
            }
        }, cancellationToken);
    }
}
