using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClawEdge.Gpio;

// Wire shapes of openclaw/esp-openclaw-node (gpio.mode/read/write, adc.read) so its agents and skills work unchanged;
// gpio.wait and sensor.* are ours. `pin` is a number (BCM) or a string (a pin key or its declared name): kept as the
// caller's JSON and echoed back as given.

public sealed class GpioModeParams
{
    public JsonElement Pin { get; set; }
    public string? Mode { get; set; }
    public bool? PullUp { get; set; }
    public bool? PullDown { get; set; }
}

public sealed class GpioPinParams
{
    public JsonElement Pin { get; set; }
}

public sealed class GpioWriteParams
{
    public JsonElement Pin { get; set; }
    /// <summary>0, 1, true or false.</summary>
    public JsonElement Level { get; set; }
}

public sealed class GpioWaitParams
{
    public JsonElement Pin { get; set; }
    /// <summary>rising, falling or both (default both).</summary>
    public string? Edge { get; set; }
    public double? TimeoutMs { get; set; }
}

public sealed class GpioModeResult
{
    public required JsonElement Pin { get; init; }
    public required string Mode { get; init; }
    public required bool PullUp { get; init; }
    public required bool PullDown { get; init; }
}

public sealed class GpioLevelResult
{
    public required JsonElement Pin { get; init; }
    public required int Level { get; init; }
}

public sealed class GpioWaitResult
{
    public required JsonElement Pin { get; init; }
    /// <summary>The level after the edge (or now, on a timeout).</summary>
    public required int Level { get; init; }
    /// <summary>rising or falling; null when the wait timed out.</summary>
    public string? Edge { get; init; }
    /// <summary>Unix milliseconds: the kernel's timestamp of the edge (CLOCK_REALTIME), or when the wait ended.</summary>
    public required long Timestamp { get; init; }
    public required bool TimedOut { get; init; }
}

public sealed class SensorIdParams
{
    public string? Id { get; set; }
}

public sealed class SensorListResult
{
    public required List<SensorInfo> Sensors { get; init; }
}

public sealed class SensorInfo
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required int Bus { get; init; }
    public required string Address { get; init; }
}

public sealed class SensorReadResult
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required Dictionary<string, double> Values { get; init; }
    public required long Timestamp { get; init; }
}

public sealed class AdcReadParams
{
    public double? Channel { get; set; }
    /// <summary>Which ADS1115 (a sensor id); default the first declared.</summary>
    public string? Id { get; set; }
}

public sealed class AdcReadResult
{
    public required int Channel { get; init; }
    public required int Raw { get; init; }
    public required double Millivolts { get; init; }
}

public sealed class GpioListEntry
{
    public required string Pin { get; init; }
    public string? Name { get; init; }
    public required string Mode { get; init; }
    public string? Chip { get; init; }
    public uint? Line { get; init; }
    public int? Level { get; init; }
    public string? Consumer { get; init; }
    public string? Error { get; init; }
}

public sealed class GpioLayoutResult
{
    public required string Architecture { get; init; }
    public required SortedDictionary<string, ulong> Entries { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GpioModeParams))]
[JsonSerializable(typeof(GpioPinParams))]
[JsonSerializable(typeof(GpioWriteParams))]
[JsonSerializable(typeof(GpioWaitParams))]
[JsonSerializable(typeof(GpioModeResult))]
[JsonSerializable(typeof(GpioLevelResult))]
[JsonSerializable(typeof(GpioWaitResult))]
[JsonSerializable(typeof(SensorIdParams))]
[JsonSerializable(typeof(SensorListResult))]
[JsonSerializable(typeof(SensorReadResult))]
[JsonSerializable(typeof(AdcReadParams))]
[JsonSerializable(typeof(AdcReadResult))]
[JsonSerializable(typeof(List<GpioListEntry>))]
[JsonSerializable(typeof(GpioLayoutResult))]
internal sealed partial class GpioJsonContext : JsonSerializerContext;
