using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Gpio;

/// <summary><c>gpio.write {pin, level}</c> → <c>{pin, level}</c>; refused unless the pin is an output now.</summary>
public sealed class GpioWriteCommand(GpioPins pins) : NodeCommand
{
    public override string Name => "gpio.write";
    public override string Capability => "gpio";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var p = context.ReadParams(GpioJsonContext.Default.GpioWriteParams)
            ?? throw new CommandException(ErrorCodes.InvalidRequest, "gpio.write needs {pin, level}");
        var pin = pins.Find(PinParameter.Key(p.Pin, Name));
        int level = PinParameter.Level(p.Level);
        try
        {
            lock (pin.Gate)
            {
                if (pin.Mode == PinMode.Input)
                    throw new CommandException(ErrorCodes.InvalidRequest, pin.Declared == PinMode.Input
                        ? $"pin {pin.Describe()} is an input (Gpio:Pins:{pin.Key}:Mode is input): it is never driven; declare it output in the config to write it"
                        : $"pin {pin.Describe()} is an input now: configure gpio.mode with output or input_output before gpio.write");
                pins.EnsureLine(pin).Set(level);
                pin.Level = level;
            }
        }
        catch (GpioException e)
        {
            throw PinParameter.Fail(e);
        }
        return Task.FromResult(CommandResult.Success(JsonSerializer.Serialize(new GpioLevelResult { Pin = p.Pin, Level = level }, GpioJsonContext.Default.GpioLevelResult)));
    }
}
