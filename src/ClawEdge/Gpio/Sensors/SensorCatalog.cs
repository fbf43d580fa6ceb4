using System.Globalization;
using ClawEdge.Host;

namespace ClawEdge.Gpio.Sensors;

/// <summary>The declared I2C sensors: finds one by id, opens its bus for one reading at a time, runs its driver.</summary>
public sealed class SensorCatalog
{
    private readonly Dictionary<string, Entry> _sensors = new(StringComparer.Ordinal);
    private readonly Func<int, int, I2cTarget> _open;

    public SensorCatalog(GpioOptions options) : this(options, (bus, address) => KernelI2cTarget.Open(bus, address)) { }

    internal SensorCatalog(GpioOptions options, Func<int, int, I2cTarget> open)
    {
        _open = open;
        foreach (var (id, sensor) in options.Sensors)
        {
            string kind = sensor.Kind.ToLowerInvariant();
            int defaultAddress = kind switch
            {
                "bme280" or "bmp280" => 0x76,
                "sht4x" => 0x44,
                "bh1750" => 0x23,
                "ads1115" => 0x48,
                _ => throw new ClawEdge.Config.ConfigException($"Gpio:Sensors:{id}:Kind is \"{sensor.Kind}\": use bme280, bmp280, sht4x, bh1750 or ads1115"),
            };
            int address = sensor.Address is null ? defaultAddress : ParseAddress(sensor.Address)
                ?? throw new ClawEdge.Config.ConfigException($"Gpio:Sensors:{id}:Address is \"{sensor.Address}\": use a 7-bit address such as 0x76");
            if (kind == "ads1115")
                Ads1115.GainBits(sensor.FullScaleMillivolts);
            _sensors[id] = new Entry(id, kind, sensor.Bus, address, sensor.FullScaleMillivolts);
        }
    }

    public static int? ParseAddress(string text)
    {
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        return int.TryParse(hex ? text[2..] : text, hex ? NumberStyles.HexNumber : NumberStyles.None, CultureInfo.InvariantCulture, out int a)
            && a is >= 0x03 and <= 0x77 ? a : null;
    }

    public bool HasAdc => _sensors.Values.Any(s => s.Kind == "ads1115");

    public IEnumerable<SensorInfo> List() => _sensors.Values.Select(s => new SensorInfo
    {
        Id = s.Id, Kind = s.Kind, Bus = s.Bus, Address = $"0x{s.Address:x2}",
    });

    private Entry Find(string? id)
    {
        if (id is { Length: > 0 } && _sensors.TryGetValue(id, out var found))
            return found;
        string declared = _sensors.Count == 0 ? "none is declared" : "declared: " + string.Join(", ", _sensors.Keys);
        throw new CommandException(ErrorCodes.InvalidRequest, id is { Length: > 0 }
            ? $"sensor \"{id}\" is not declared: add it under Gpio:Sensors:{id} (Kind, Bus, Address) and restart the node ({declared})"
            : $"sensor.read needs {{id}} ({declared})");
    }

    public SensorReading Read(string? id)
    {
        var sensor = Find(id);
        lock (sensor)
        {
            using var chip = _open(sensor.Bus, sensor.Address);
            return sensor.Kind switch
            {
                "bme280" or "bmp280" => Bme280.Read(chip),
                "sht4x" => Sht4x.Read(chip),
                "bh1750" => Bh1750.Read(chip, ref sensor.Measuring),
                _ => ReadAdc(sensor, chip),
            };
        }
    }

    private static SensorReading ReadAdc(Entry sensor, I2cTarget chip)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int channel = 0; channel < 4; channel++)
            values[$"ain{channel}Millivolts"] = Ads1115.Read(chip, channel, sensor.FullScaleMillivolts).Millivolts;
        return new SensorReading("ads1115", values);
    }

    public (int Raw, double Millivolts) ReadAdc(string? id, int channel)
    {
        var sensor = id is { Length: > 0 } ? Find(id) : _sensors.Values.FirstOrDefault(s => s.Kind == "ads1115")
            ?? throw new CommandException(ErrorCodes.InvalidRequest, "adc.read needs an ADS1115 declared under Gpio:Sensors (Kind ads1115)");
        if (sensor.Kind != "ads1115")
            throw new CommandException(ErrorCodes.InvalidRequest, $"sensor \"{sensor.Id}\" is a {sensor.Kind}, not an ADS1115");
        lock (sensor)
        {
            using var chip = _open(sensor.Bus, sensor.Address);
            return Ads1115.Read(chip, channel, sensor.FullScaleMillivolts);
        }
    }

    private sealed class Entry(string id, string kind, int bus, int address, int fullScale)
    {
        public string Id { get; } = id;
        public string Kind { get; } = kind;
        public int Bus { get; } = bus;
        public int Address { get; } = address;
        public int FullScaleMillivolts { get; } = fullScale;
        /// <summary>A BH1750 in continuous mode since this process's first reading.</summary>
        public bool Measuring;
    }
}
