using System.Runtime.InteropServices;
using System.Text.Json;
using ClawEdge.Cli;
using ClawEdge.Config;
using ClawEdge.Gpio.Native;
using ClawEdge.Gpio.Sensors;

namespace ClawEdge.Gpio;

/// <summary>
/// <c>clawedge gpio chips|list|read|sensor|layout</c>: for the owner wiring a board, and for the tests that run this
/// binary against the kernel's gpio-sim and i2c-stub. Reads only: an output is never driven from here.
/// </summary>
public static class GpioCli
{
    public const string Usage = """
        clawedge gpio chips [--json]            GPIO chips: name, label, lines
        clawedge gpio list [--json]             declared pins (chip, line, who holds it) and sensors
        clawedge gpio read <pin> [--json]       the level of a declared input pin (requests it briefly)
        clawedge gpio sensor <id> [--json]      one reading of a declared sensor
        clawedge gpio layout --json             managed GPIO/I2C struct sizes, offsets and ioctl numbers
        clawedge gpio bench --sim <sysfs dir> [--chip /dev/gpiochipN] [--rounds 200]   latencies against gpio-sim lines 0, 1
        """;

    public static int Execute(CommandLine line)
    {
        string sub = line.Positionals.Count > 0 ? line.Positionals[0] : "help";
        bool json = line.Has("--json");
        try
        {
            return sub switch
            {
                "chips" => Chips(json),
                "list" => List(Load(line), json),
                "read" when line.Positionals.Count > 1 => Read(Load(line), line.Positionals[1], json),
                "sensor" when line.Positionals.Count > 1 => Sensor(Load(line), line.Positionals[1], json),
                "layout" => Layout(),
                "bench" when line.Option("--sim") is { } sim => GpioBench.Run(sim, line.Option("--chip") ?? "/dev/gpiochip0",
                    int.Parse(line.Option("--rounds") ?? "200", System.Globalization.CultureInfo.InvariantCulture)),
                _ => Program.Print(Usage),
            };
        }
        catch (GpioException e)
        {
            return Program.Fail($"gpio: {e.Message} ({e.Code})", 3);
        }
        catch (ClawEdge.Host.CommandException e)
        {
            return Program.Fail($"gpio: {e.Message} ({e.Code})", 2);
        }
    }

    private static GpioOptions Load(CommandLine line) => ConfigLoader.Load(line.Option("--config"), line.ConfigOverrides).Gpio;

    private static int Chips(bool json)
    {
        var rows = new List<GpioListEntry>();
        foreach (string path in GpioChip.Paths())
        {
            try
            {
                using var chip = GpioChip.Open(path);
                rows.Add(new GpioListEntry { Pin = chip.Name, Name = chip.Label, Mode = "chip", Chip = path, Line = chip.Lines });
            }
            catch (GpioException e)
            {
                rows.Add(new GpioListEntry { Pin = Path.GetFileName(path), Mode = "chip", Chip = path, Error = e.Message });
            }
        }
        if (json)
            return Program.Print(JsonSerializer.Serialize(rows, GpioJsonContext.Default.ListGpioListEntry));
        if (rows.Count == 0)
            return Program.Fail("no /dev/gpiochip* on this machine", 1);
        foreach (var r in rows)
            Console.Out.WriteLine(r.Error is null ? $"{r.Chip}  {r.Name}  {r.Line} lines" : $"{r.Chip}  {r.Error}");
        return 0;
    }

    private static int List(GpioOptions options, bool json)
    {
        var pins = new GpioPins(options);
        var rows = new List<GpioListEntry>();
        foreach (var pin in pins.All)
        {
            // Resolution and line info only: the line is not requested, so a running node keeps it.
            try
            {
                var (chipPath, offset) = pins.Locate(pin);
                using var chip = GpioChip.Open(chipPath);
                var info = chip.LineInfo(offset);
                rows.Add(new GpioListEntry { Pin = pin.Key, Name = pin.Options.Name, Mode = GpioPins.ModeName(pin.Declared), Chip = chipPath, Line = offset, Consumer = info.Consumer });
            }
            catch (GpioException e)
            {
                rows.Add(new GpioListEntry { Pin = pin.Key, Name = pin.Options.Name, Mode = GpioPins.ModeName(pin.Declared), Error = e.Message });
            }
        }
        foreach (var sensor in new SensorCatalog(options).List())
            rows.Add(new GpioListEntry { Pin = sensor.Id, Name = sensor.Kind, Mode = "sensor", Chip = $"/dev/i2c-{sensor.Bus}", Line = (uint)SensorCatalog.ParseAddress(sensor.Address)! });
        if (json)
            return Program.Print(JsonSerializer.Serialize(rows, GpioJsonContext.Default.ListGpioListEntry));
        if (!options.Enabled)
            Console.Out.WriteLine("(Gpio:Enabled is false: the node serves none of these)");
        foreach (var r in rows)
            Console.Out.WriteLine(r.Error is not null ? $"{r.Pin,-8} {r.Mode,-12} {r.Error}"
                : r.Mode == "sensor" ? $"{r.Pin,-8} sensor       {r.Name} at 0x{r.Line:x2} on {r.Chip}"
                : $"{r.Pin,-8} {r.Mode,-12} line {r.Line} of {r.Chip}{(r.Name is null ? "" : $" ({r.Name})")}{(r.Consumer is null ? "" : $", held by \"{r.Consumer}\"")}");
        return 0;
    }

    private static int Read(GpioOptions options, string key, bool json)
    {
        using var pins = new GpioPins(options);
        var pin = pins.Find(key);
        if (pin.Declared != PinMode.Input)
            return Program.Fail($"gpio: pin {pin.Describe()} is an output: the CLI never requests outputs (that would drive them); use gpio.read on the running node", 2);
        int level;
        lock (pin.Gate)
            level = pins.EnsureLine(pin).Get();
        return Program.Print(json ? $$"""{"pin":"{{pin.Key}}","level":{{level}}}""" : level.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static int Sensor(GpioOptions options, string id, bool json)
    {
        var reading = new SensorCatalog(options).Read(id);
        if (json)
            return Program.Print(JsonSerializer.Serialize(new SensorReadResult
            {
                Id = id, Kind = reading.Kind, Values = reading.Values, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            }, GpioJsonContext.Default.SensorReadResult));
        foreach (var (name, value) in reading.Values)
            Console.Out.WriteLine($"{name} {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static int Layout()
    {
        var entries = new SortedDictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var (key, value) in GpioLayout.Entries())
            entries[key] = value;
        return Program.Print(JsonSerializer.Serialize(new GpioLayoutResult
        {
            Architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            Entries = entries,
        }, GpioJsonContext.Default.GpioLayoutResult));
    }
}
