using System.Text.Json;
using ClawEdge.Gpio.Sensors;
using ClawEdge.Host;

namespace ClawEdge.Gpio;

/// <summary><c>adc.read {channel}</c> → <c>{channel, raw, millivolts}</c> (the ESP32 node's name), from an ADS1115.</summary>
public sealed class AdcReadCommand(SensorCatalog sensors) : NodeCommand
{
    public override string Name => "adc.read";
    public override string Capability => "adc";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var p = context.ReadParams(GpioJsonContext.Default.AdcReadParams);
        if (p?.Channel is not { } channel || channel != Math.Floor(channel))
            throw new CommandException(ErrorCodes.InvalidRequest, "adc.read needs {channel}: 0..3 (AIN0..AIN3)");
        return Task.Run(() =>
        {
            try
            {
                var (raw, millivolts) = sensors.ReadAdc(p.Id, (int)channel);
                return CommandResult.Success(JsonSerializer.Serialize(new AdcReadResult { Channel = (int)channel, Raw = raw, Millivolts = millivolts }, GpioJsonContext.Default.AdcReadResult));
            }
            catch (GpioException e)
            {
                throw PinParameter.Fail(e);
            }
        }, cancellationToken);
    }
}
