using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Gpio;

/// <summary><c>gpio.read {pin}</c> → <c>{pin, level}</c>: the line's level as the kernel reports it (an output reads back).</summary>
public sealed class GpioReadCommand(GpioPins pins) : NodeCommand
{
    public override string Name => "gpio.read";
    public override string Capability => "gpio";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var p = context.ReadParams(GpioJsonContext.Default.GpioPinParams)
            ?? throw new CommandException(ErrorCodes.InvalidRequest, "gpio.read needs {pin}");
        var pin = pins.Find(PinParameter.Key(p.Pin, Name));
        int level;
        try
        {
            lock (pin.Gate)
                level = pins.EnsureLine(pin).Get();
        }
        catch (GpioException e)
        {
            throw PinParameter.Fail(e);
        }
        return Task.FromResult(CommandResult.Success(JsonSerializer.Serialize(new GpioLevelResult { Pin = p.Pin, Level = level }, GpioJsonContext.Default.GpioLevelResult)));
    }
}
