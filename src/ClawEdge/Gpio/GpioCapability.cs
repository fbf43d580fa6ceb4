using ClawEdge.Cli;
using ClawEdge.Gpio.Sensors;
using ClawEdge.Host;
using ClawEdge.Service;

namespace ClawEdge.Gpio;

/// <summary>
/// GPIO pins (<c>gpio.mode/read/write/wait</c>) and I2C sensors (<c>sensor.list/read</c>, <c>adc.read</c>) over the
/// kernel's GPIO character device and i2c-dev; everything off unless <c>Gpio:Enabled</c>.
/// </summary>
public sealed class GpioCapability : Capability
{
    private GpioPins? _pins;

    public override string Name => "gpio";
    public override string? Verb => "gpio";
    public override string? VerbHelp => "clawedge gpio chips|list|read|sensor|layout   GPIO chips, declared pins and sensors (clawedge gpio help)";

    public override IEnumerable<NodeCommand> CreateCommands(NodeServices services)
    {
        var options = services.Options.Gpio;
        if (!options.Enabled)
            return [];
        var pins = new GpioPins(options);
        var sensors = new SensorCatalog(options);
        pins.ClaimAll();
        _pins = pins;
        var commands = new List<NodeCommand>
        {
            new GpioModeCommand(pins),
            new GpioReadCommand(pins),
            new GpioWriteCommand(pins),
            new GpioWaitCommand(pins, Math.Max(0, options.MaxWaitMs)),
            new SensorListCommand(sensors),
            new SensorReadCommand(sensors),
        };
        if (sensors.HasAdc)
            commands.Add(new AdcReadCommand(sensors));
        return commands;
    }

    public override Task<int> RunVerbAsync(CommandLine line) => Task.FromResult(GpioCli.Execute(line));

    public override IEnumerable<DoctorCheck> Doctor(NodeServices services) => GpioDoctor.Checks(services.Options.Gpio);

    public override ValueTask StopAsync()
    {
        _pins?.Stop();
        return ValueTask.CompletedTask;
    }
}
