using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ClawEdge.Tests.Capture;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Gpio;

/// <summary>
/// The node against the kernel's own simulated devices, in one boot of the test VM (scripts/vivid-vm.sh): a gpio-sim
/// chip (built out of tree by scripts/kernel-module.sh) configured through configfs, and i2c-stub chips whose
/// registers the guest fills with i2cset. First the CLI reads the sensors in the guest; then the node in the guest
/// serves the real gateway on the host (through qemu's forwarded port) and the real `openclaw nodes invoke` drives it,
/// while <see cref="GuestShell"/> checks the sim's sysfs side between calls.
/// </summary>
public class GpioVmTests
{
    private const string Sim = "$SIM"; // the guest's /sys/devices/platform/gpio-sim.N/gpiochipM
    private static readonly string[] Allowed = ["gpio.mode", "gpio.read", "gpio.write", "gpio.wait", "sensor.list", "sensor.read", "adc.read"];

    /// <summary>Pins on the sim: 3 a relay (safe level 0), 5 a door contact, 6 hogged by "other-program".</summary>
    private static readonly Dictionary<string, string?> NodeEnvironment = new()
    {
        ["CLAWEDGE_Gpio__Enabled"] = "true",
        ["CLAWEDGE_Gpio__Chip"] = "gpiochip0",
        ["CLAWEDGE_Gpio__Pins__3__Mode"] = "output",
        ["CLAWEDGE_Gpio__Pins__3__Name"] = "relay",
        ["CLAWEDGE_Gpio__Pins__3__Initial"] = "0",
        ["CLAWEDGE_Gpio__Pins__5__Mode"] = "input",
        ["CLAWEDGE_Gpio__Pins__5__Name"] = "door",
        ["CLAWEDGE_Gpio__Pins__6__Mode"] = "input",
        ["CLAWEDGE_Gpio__Pins__6__Name"] = "held",
        ["CLAWEDGE_Gpio__Sensors__env__Kind"] = "bme280",
        ["CLAWEDGE_Gpio__Sensors__env__Bus"] = "0",
        ["CLAWEDGE_Gpio__Sensors__env__Address"] = "0x76",
        ["CLAWEDGE_Gpio__Sensors__baro__Kind"] = "bmp280",
        ["CLAWEDGE_Gpio__Sensors__baro__Bus"] = "0",
        ["CLAWEDGE_Gpio__Sensors__baro__Address"] = "0x77",
        ["CLAWEDGE_Gpio__Sensors__light__Kind"] = "bh1750",
        ["CLAWEDGE_Gpio__Sensors__light__Bus"] = "0",
        ["CLAWEDGE_Gpio__Sensors__adc__Kind"] = "ads1115",
        ["CLAWEDGE_Gpio__Sensors__adc__Bus"] = "0",
        ["CLAWEDGE_Gpio__Sensors__rh__Kind"] = "sht4x",
        ["CLAWEDGE_Gpio__Sensors__rh__Bus"] = "0",
        ["CLAWEDGE_Gpio__Sensors__gone__Kind"] = "bme280",
        ["CLAWEDGE_Gpio__Sensors__gone__Bus"] = "0",
        ["CLAWEDGE_Gpio__Sensors__gone__Address"] = "0x40",
    };

    // BH1750 count 1500 → 1250 lx; ADS1115 conversion 0x3000 = 12288 → 1536 mV at ±4.096 V.
    private const int LightCount = 1500;
    private const int AdcCount = 0x3000;
    private const int HumidityAdc = 27500;

    private static string GuestSetup()
    {
        var s = new StringBuilder("""
            set -u
            mount -t configfs none /sys/kernel/config
            G=/sys/kernel/config/gpio-sim/ce
            mkdir $G $G/bank0
            echo 8 > $G/bank0/num_lines
            mkdir $G/bank0/line6 $G/bank0/line6/hog
            echo other-program > $G/bank0/line6/hog/name
            echo input > $G/bank0/line6/hog/direction
            echo 1 > $G/live
            SIM=/sys/devices/platform/$(cat $G/dev_name)/$(cat $G/bank0/chip_name)
            cat $G/bank0/chip_name > /out/chip
            # Line 3 falls back to its pull when released: pull-up, so only the node's stop can show 0 there.
            echo pull-up > $SIM/sim_gpio3/pull
            echo pull-down > $SIM/sim_gpio5/pull

            """);
        var c = Bme280Reference.Example;
        foreach (var (at, value) in Bme280Reference.Registers(c, Bme280Reference.ExampleAdcT, Bme280Reference.ExampleAdcP, HumidityAdc, humidity: true))
            s.Append(CultureInfo.InvariantCulture, $"i2cset -y 0 0x76 0x{at:x2} 0x{value:x2}\n");
        foreach (var (at, value) in Bme280Reference.Registers(c, Bme280Reference.ExampleAdcT + 4000, Bme280Reference.ExampleAdcP - 20000, 0, humidity: false))
            s.Append(CultureInfo.InvariantCulture, $"i2cset -y 0 0x77 0x{at:x2} 0x{value:x2}\n");
        // i2c-stub keeps a word per register and sends it low byte first; these chips send the high byte first.
        s.Append(CultureInfo.InvariantCulture, $"i2cset -y 0 0x23 0x10 0x{Swap(LightCount):x4} w\n");
        s.Append(CultureInfo.InvariantCulture, $"i2cset -y 0 0x48 0x00 0x{Swap(AdcCount):x4} w\n");
        s.Append("""
            for id in env baro light adc rh gone; do
              clawedge gpio sensor $id --json > /out/sensor-$id.json 2> /out/sensor-$id.err
            done
            clawedge gpio chips --json > /out/chips.json 2>/out/chips.json.err
            clawedge gpio list --json > /out/list.json 2>/out/list.json.err
            echo pull-up > $SIM/sim_gpio5/pull
            clawedge gpio read door > /out/read-door-up 2>/out/read-door-up.err
            echo pull-down > $SIM/sim_gpio5/pull
            clawedge gpio read door > /out/read-door-down 2>/out/read-door-down.err
            clawedge gpio read held > /out/read-held 2>&1
            chmod 700 /state; chmod 600 /state/*
            clawedge run --host 10.0.2.100 --port 18789 --state-dir /state --display-name "$NODE_NAME" > /out/node.log 2>&1 &
            echo $! > /tmp/node.pid

            """);
        return s.ToString();
    }

    private static int Swap(int word) => ((word & 0xFF) << 8) | ((word >> 8) & 0xFF);

    [Test]
    public async Task Gpio_sim_and_i2c_stub_through_the_cli_and_the_real_gateway()
    {
        // The gateway side: every one of these must be in gateway.nodes.commands.allow (docs/GPIO.md has the line).
        var allow = new JsonArray(Allowed.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());
        await using var gateway = await RealGateway.StartAsync(new JsonObject
        {
            ["gateway"] = new JsonObject { ["nodes"] = new JsonObject { ["commands"] = new JsonObject { ["allow"] = allow } } },
        });

        // Pair on the host with the same config (same identity, same command surface), then hand the state to the guest.
        string stateDir = Tools.TempDir("gpio-node");
        string deviceId;
        await using (var host = EdgeNode.Start(gateway, stateDir, environment: NodeEnvironment))
        {
            deviceId = await host.ConnectAndApproveAsync(gateway);
            await host.StopAsync();
        }
        var options = new List<string>
        {
            "--insmod", "gpio_sim", "--insmod", "i2c_stub chip_addr=0x76,0x77,0x23,0x48,0x44", "--insmod", "i2c_dev",
            "--forward", $"18789={gateway.Port}",
            "--lib", "libssl.so.3",
            "--env", $"NODE_NAME={EdgeNode.DisplayNameFor(stateDir)}",
            "--env", $"OPENCLAW_GATEWAY_TOKEN={RealGateway.Token}",
            "--env", "CLAWEDGE_Gateway__MaxBackoffMs=2000",
        };
        foreach (var (k, v) in NodeEnvironment)
            options.AddRange(["--env", $"{k}={v}"]);
        foreach (string file in Directory.GetFiles(stateDir))
            options.AddRange(["--file", $"{file}:/state/{Path.GetFileName(file)}"]);
        try
        {
            var vm = await VividVm.RunWithShellAsync(GuestSetup(), [Tools.BinX64], options, TimeSpan.FromMinutes(5), async shell =>
            {
                await gateway.WaitForNodeAsync(deviceId, n => (bool?)n["connected"] == true, TimeSpan.FromMinutes(2));

                // Outputs start at their safe level even with the sim pulling the line up.
                await Assert.That(await shell.RunAsync($"cat {Sim}/sim_gpio3/value")).IsEqualTo("0");
                var write = await EdgeNode.InvokeAsync(gateway, deviceId, "gpio.write", """{"pin":3,"level":1}""");
                await Assert.That((int?)Payload(write)["level"]).IsEqualTo(1);
                await Assert.That(await shell.RunAsync($"cat {Sim}/sim_gpio3/value")).IsEqualTo("1");

                await shell.RunAsync($"echo pull-up > {Sim}/sim_gpio5/pull");
                await Assert.That((int?)Payload(await EdgeNode.InvokeAsync(gateway, deviceId, "gpio.read", """{"pin":"door"}"""))["level"]).IsEqualTo(1);
                await shell.RunAsync($"echo pull-down > {Sim}/sim_gpio5/pull");
                await Assert.That((int?)Payload(await EdgeNode.InvokeAsync(gateway, deviceId, "gpio.read", """{"pin":5}"""))["level"]).IsEqualTo(0);

                // gpio.wait sleeps until the sim makes an edge: toggle the pull until the pending wait answers.
                var wait = EdgeNode.InvokeAsync(gateway, deviceId, "gpio.wait", """{"pin":"door","edge":"rising","timeoutMs":25000}""", timeoutMs: 30000);
                for (int i = 0; !wait.IsCompleted && i < 40; i++)
                {
                    await shell.RunAsync($"echo pull-up > {Sim}/sim_gpio5/pull; usleep 300000; echo pull-down > {Sim}/sim_gpio5/pull");
                    await Task.WhenAny(wait, Task.Delay(700));
                }
                var edge = Payload(await wait);
                await Assert.That((bool)edge["timedOut"]!).IsFalse();
                await Assert.That((string?)edge["edge"]).IsEqualTo("rising");
                await Assert.That((int?)edge["level"]).IsEqualTo(1);
                await Assert.That(Math.Abs((long)edge["timestamp"]! - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).IsLessThan(120_000L);
                var quiet = Payload(await EdgeNode.InvokeAsync(gateway, deviceId, "gpio.wait", """{"pin":"door","edge":"both","timeoutMs":200}"""));
                await Assert.That((bool)quiet["timedOut"]!).IsTrue();

                // Clear errors, and the node stays connected through them.
                var (undeclaredCode, undeclared) = await Invoke(gateway, deviceId, "gpio.write", """{"pin":22,"level":1}""");
                await Assert.That(undeclaredCode).IsNotEqualTo(0);
                await Assert.That(undeclared).Contains("INVALID_REQUEST").And.Contains("Gpio:Pins:22");
                var (_, toInput) = await Invoke(gateway, deviceId, "gpio.write", """{"pin":"door","level":1}""");
                await Assert.That(toInput).Contains("INVALID_REQUEST").And.Contains("Gpio:Pins:5:Mode is input");
                var (_, busy) = await Invoke(gateway, deviceId, "gpio.read", """{"pin":"held"}""");
                await Assert.That(busy).Contains("GPIO_BUSY").And.Contains("other-program");

                var env = Payload(await EdgeNode.InvokeAsync(gateway, deviceId, "sensor.read", """{"id":"env"}"""));
                await AssertBme280(env, Bme280Reference.ExampleAdcT, Bme280Reference.ExampleAdcP, HumidityAdc);
                var (_, gone) = await Invoke(gateway, deviceId, "sensor.read", """{"id":"gone"}""");
                await Assert.That(gone).Contains("SENSOR_UNAVAILABLE").And.Contains("no chip answers at 0x40");
                var adc = Payload(await EdgeNode.InvokeAsync(gateway, deviceId, "adc.read", """{"channel":2}"""));
                await Assert.That((int?)adc["raw"]).IsEqualTo(AdcCount);
                await Assert.That((double?)adc["millivolts"]).IsEqualTo(AdcCount * 4096.0 / 32768);

                // SIGTERM: the relay goes to its safe level (0) before the process exits and releases the line (then the
                // sim's pull-up shows 1 again). The kernel's own gpio_value tracepoint records each value set on a line:
                // one that is set is still requested, so a "set 0" after TERM is the node driving the safe level itself.
                // (A sysfs sampler raced the node's shutdown on the guest's one CPU and missed the 0 now and then.)
                // The node is the guest script's child, left unreaped: a zombie has released its lines, so "alive" is a
                // process that is not Z.
                const string Trace = "/sys/kernel/tracing";
                string stop = await shell.RunAsync(
                    "pid=$(cat /tmp/node.pid); alive() { read -r st < /proc/$pid/stat 2>/dev/null || return 1; case \"$st\" in *') Z '*) return 1;; esac; }; " +
                    $"[ -d {Trace}/events/gpio ] || mount -t tracefs nodev {Trace}; echo 1 > {Trace}/events/gpio/gpio_value/enable; echo > {Trace}/trace; " +
                    $"read v < {Sim}/sim_gpio3/value; echo before=$v; " +
                    "kill -TERM $pid; while alive; do usleep 20000; done; usleep 300000; " +
                    $"read v < {Sim}/sim_gpio3/value; echo after=$v; echo 0 > {Trace}/events/gpio/gpio_value/enable; " +
                    $"echo sets=$(grep -o 'gpio_value: [0-9]* set [01]' {Trace}/trace | tr '\\n' ';')", TimeSpan.FromSeconds(60));
                Console.WriteLine($"gpio stop: {stop.ReplaceLineEndings(" ")}");
                await Assert.That(stop).Contains("before=1");
                await Assert.That(stop).Contains("after=1");
                await Assert.That(System.Text.RegularExpressions.Regex.IsMatch(stop, @"sets=(gpio_value: \d+ set 0;)+\s*$")).IsTrue()
                    .Because($"the values set on a line after TERM: {stop}");
            });
            try
            {
                await Assert.That(vm.Read("node.log")).Contains("gpio: outputs at their safe level: 3=0").And.Contains("stopped");

                // The CLI in the guest, before the node ran.
                await Assert.That(vm.Read("chip").Trim()).IsEqualTo("gpiochip0");
                await AssertBme280(JsonNode.Parse(vm.Read("sensor-env.json"))!, Bme280Reference.ExampleAdcT, Bme280Reference.ExampleAdcP, HumidityAdc);
                var baro = JsonNode.Parse(vm.Read("sensor-baro.json"))!;
                await Assert.That((string?)baro["kind"]).IsEqualTo("bmp280");
                await AssertBme280(baro, Bme280Reference.ExampleAdcT + 4000, Bme280Reference.ExampleAdcP - 20000, null);
                await Assert.That((double?)JsonNode.Parse(vm.Read("sensor-light.json"))!["values"]!["lux"]).IsEqualTo(Math.Round(LightCount / 1.2, 2));
                await Assert.That((double?)JsonNode.Parse(vm.Read("sensor-adc.json"))!["values"]!["ain0Millivolts"]).IsEqualTo(AdcCount * 4096.0 / 32768);
                await Assert.That(vm.Read("sensor-rh.err")).Contains("SMBus only");
                await Assert.That(vm.Read("sensor-gone.err")).Contains("no chip answers at 0x40 on /dev/i2c-0");
                await Assert.That(vm.Read("read-door-up").Trim()).IsEqualTo("1");
                await Assert.That(vm.Read("read-door-down").Trim()).IsEqualTo("0");
                await Assert.That(vm.Read("read-held")).Contains("held by another program").And.Contains("other-program");
                var held = JsonNode.Parse(vm.Read("list.json"))!.AsArray().First(e => (string?)e!["pin"] == "6")!;
                await Assert.That((string?)held["consumer"]).IsEqualTo("other-program");
            }
            finally
            {
                vm.Delete();
            }
        }
        finally
        {
            try { Directory.Delete(stateDir, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task AssertBme280(JsonNode reading, int adcT, int adcP, int? adcH)
    {
        var (t, p, h) = Bme280Reference.Compensate(adcT, adcP, adcH ?? 0, Bme280Reference.Example);
        var values = reading["values"]!;
        await Assert.That((double)values["temperatureC"]!).IsEqualTo(Math.Round(t, 2)).Within(0.011);
        await Assert.That((double)values["pressureHpa"]!).IsEqualTo(p / 100).Within(0.01);
        if (adcH is not null)
            await Assert.That((double)values["humidityPercent"]!).IsEqualTo(h).Within(0.05);
        else
            await Assert.That(values["humidityPercent"]).IsNull();
    }

    /// <summary>The invoke result's payload: the CLI prints the node's answer as <c>payload</c>.</summary>
    private static JsonNode Payload(JsonNode answer) => answer["payload"] ?? answer["result"] ?? answer;

    private static Task<(int ExitCode, string Output)> Invoke(RealGateway gateway, string nodeId, string command, string paramsJson) =>
        gateway.CliAsync("nodes", "invoke", "--node", nodeId, "--command", command, "--params", paramsJson, "--invoke-timeout", "15000");
}
