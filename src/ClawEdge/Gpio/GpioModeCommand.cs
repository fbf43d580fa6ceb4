using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Gpio;

/// <summary><c>gpio.mode {pin, mode, pullUp?, pullDown?}</c>: reconfigures a declared pin within what its config allows.</summary>
public sealed class GpioModeCommand(GpioPins pins) : NodeCommand
{
    public override string Name => "gpio.mode";
    public override string Capability => "gpio";

    public override Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken cancellationToken)
    {
        var p = context.ReadParams(GpioJsonContext.Default.GpioModeParams)
            ?? throw new CommandException(ErrorCodes.InvalidRequest, "gpio.mode needs {pin, mode}");
        var pin = pins.Find(PinParameter.Key(p.Pin, Name));
        var mode = GpioPins.ParseMode(p.Mode)
            ?? throw new CommandException(ErrorCodes.InvalidRequest, "mode must be one of input, output, input_output");
        if (!pin.Allows(mode))
            throw new CommandException(ErrorCodes.InvalidRequest,
                $"pin {pin.Describe()} is declared {GpioPins.ModeName(pin.Declared)} (Gpio:Pins:{pin.Key}:Mode): it cannot become {GpioPins.ModeName(mode)}; change the config to drive it");
        bool pullUp = p.PullUp ?? false, pullDown = p.PullDown ?? false;
        if (pullUp && pullDown)
            throw new CommandException(ErrorCodes.InvalidRequest, "pullUp and pullDown cannot both be true");
        try
        {
            lock (pin.Gate)
            {
                if (pin.Waiting)
                    throw new CommandException(ErrorCodes.InvalidRequest, $"a gpio.wait is pending on pin {pin.Describe()}: change its mode after it ends");
                var line = pins.EnsureLine(pin);
                line.Reconfigure(GpioPins.Flags(pin, mode, pullUp, pullDown, edges: 0), pin.Level);
                pin.Mode = mode;
                pin.PullUp = pullUp;
                pin.PullDown = pullDown;
                pin.BiasDisabled = false;
            }
        }
        catch (GpioException e)
        {
            throw PinParameter.Fail(e);
        }
        return Task.FromResult(CommandResult.Success(JsonSerializer.Serialize(new GpioModeResult
        {
            Pin = p.Pin, Mode = GpioPins.ModeName(mode), PullUp = pullUp, PullDown = pullDown,
        }, GpioJsonContext.Default.GpioModeResult)));
    }
}
