using ClawEdge.Gpio;
using ClawEdge.Host;

namespace ClawEdge.Tests.Gpio;

/// <summary>What config allows, decided before any line is touched (no GPIO chip needed): undeclared pins, inputs, bad params.</summary>
public class GpioCommandTests
{
    private static GpioPins Pins() => new(new GpioOptions
    {
        Enabled = true,
        Pins = new(StringComparer.Ordinal)
        {
            ["17"] = new GpioPinOptions { Mode = "output", Name = "relay" },
            ["27"] = new GpioPinOptions { Mode = "input", Pull = "up", Name = "door" },
        },
    });

    private static async Task<CommandResult> Invoke(NodeCommand command, string paramsJson)
    {
        var registry = new CommandRegistry([command]);
        return await registry.DispatchAsync(new InvokeContext { Id = "t", Command = command.Name, ParamsJson = paramsJson }, CancellationToken.None);
    }

    [Test]
    public async Task An_undeclared_pin_is_refused_naming_the_config_key()
    {
        var result = await Invoke(new GpioWriteCommand(Pins()), """{"pin":22,"level":1}""");
        await Assert.That(result.ErrorCode).IsEqualTo(ErrorCodes.InvalidRequest);
        await Assert.That(result.ErrorMessage).Contains("Gpio:Pins:22");
        await Assert.That(result.ErrorMessage).Contains("CLAWEDGE_Gpio__Pins__22__Mode");
    }

    [Test]
    public async Task A_write_to_an_input_is_refused_naming_its_mode_key()
    {
        var byNumber = await Invoke(new GpioWriteCommand(Pins()), """{"pin":27,"level":true}""");
        await Assert.That(byNumber.ErrorCode).IsEqualTo(ErrorCodes.InvalidRequest);
        await Assert.That(byNumber.ErrorMessage).Contains("Gpio:Pins:27:Mode is input");
        var byName = await Invoke(new GpioWriteCommand(Pins()), """{"pin":"door","level":0}""");
        await Assert.That(byName.ErrorMessage).Contains("Gpio:Pins:27:Mode is input");
    }

    [Test]
    public async Task An_input_cannot_be_made_an_output_and_bad_params_say_what_is_accepted()
    {
        var mode = await Invoke(new GpioModeCommand(Pins()), """{"pin":27,"mode":"output"}""");
        await Assert.That(mode.ErrorCode).IsEqualTo(ErrorCodes.InvalidRequest);
        await Assert.That(mode.ErrorMessage).Contains("declared input");
        var badMode = await Invoke(new GpioModeCommand(Pins()), """{"pin":17,"mode":"pwm"}""");
        await Assert.That(badMode.ErrorMessage).IsEqualTo("mode must be one of input, output, input_output");
        var badLevel = await Invoke(new GpioWriteCommand(Pins()), """{"pin":17,"level":2}""");
        await Assert.That(badLevel.ErrorMessage).Contains("0, 1, true or false");
        var badEdge = await Invoke(new GpioWaitCommand(Pins(), 1000), """{"pin":27,"edge":"up"}""");
        await Assert.That(badEdge.ErrorMessage).IsEqualTo("edge must be one of rising, falling, both");
        var waitOnOutput = await Invoke(new GpioWaitCommand(Pins(), 1000), """{"pin":"relay","edge":"both","timeoutMs":10}""");
        await Assert.That(waitOnOutput.ErrorMessage).Contains("is an output");
    }

    [Test]
    public async Task A_typo_in_the_pin_config_fails_at_start()
    {
        var bad = new GpioOptions { Pins = new(StringComparer.Ordinal) { ["17"] = new GpioPinOptions { Mode = "ouput" } } };
        var e = Assert.Throws<ClawEdge.Config.ConfigException>(() => new GpioPins(bad));
        await Assert.That(e.Message).Contains("Gpio:Pins:17:Mode");
        var named = new GpioOptions { Pins = new(StringComparer.Ordinal) { ["relay"] = new GpioPinOptions { Mode = "output" } } };
        await Assert.That(Assert.Throws<ClawEdge.Config.ConfigException>(() => new GpioPins(named)).Message).Contains("Gpio:Pins:relay:Line");
    }

    [Test]
    public async Task Disabled_gpio_serves_no_command()
    {
        var commands = new GpioCapability().CreateCommands(new NodeServices
        {
            State = new ClawEdge.State.StateStore(Path.GetTempPath()),
            Options = new ClawEdge.Config.ClawEdgeOptions(),
        });
        await Assert.That(commands.Count()).IsEqualTo(0);
    }
}
