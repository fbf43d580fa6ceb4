using System.Text.Json.Serialization;

namespace ClawEdge.Device;

/// <summary>
/// <c>device.status</c>: OpenClawKit's <c>{battery, thermal, storage, network, uptimeSeconds}</c> and what a Pi owner
/// checks first — the CPU temperature and the firmware's throttling flags. Absent hardware is null, never invented.
/// </summary>
public sealed class DeviceStatus
{
    /// <summary>The first battery or UPS in <c>/sys/class/power_supply</c>; null when there is none.</summary>
    [JsonPropertyName("battery")] public BatteryStatus? Battery { get; init; }
    [JsonPropertyName("thermal")] public required ThermalStatus Thermal { get; init; }

    /// <summary>The firmware's <c>get_throttled</c> flags (Raspberry Pi); null on other boards.</summary>
    [JsonPropertyName("throttling")] public ThrottlingStatus? Throttling { get; init; }
    [JsonPropertyName("storage")] public StorageStatus? Storage { get; init; }
    [JsonPropertyName("network")] public required NetworkStatus Network { get; init; }
    [JsonPropertyName("uptimeSeconds")] public double? UptimeSeconds { get; init; }
}

public sealed class BatteryStatus
{
    /// <summary>0.0–1.0 from <c>capacity</c>; null when the supply reports none.</summary>
    [JsonPropertyName("level")] public double? Level { get; init; }
    [JsonPropertyName("levelPercent")] public int? LevelPercent { get; init; }

    /// <summary><c>charging</c>, <c>full</c>, <c>unplugged</c> (discharging) or <c>unknown</c>.</summary>
    [JsonPropertyName("state")] public required string State { get; init; }

    /// <summary>Linux has no low-power mode switch: always false.</summary>
    [JsonPropertyName("lowPowerModeEnabled")] public bool LowPowerModeEnabled { get; init; }

    /// <summary>The power_supply name, e.g. <c>BAT0</c>.</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }
}

public sealed class ThermalStatus
{
    /// <summary><c>nominal</c>, <c>fair</c>, <c>serious</c> or <c>critical</c>; null without a thermal zone.</summary>
    [JsonPropertyName("state")] public string? State { get; init; }
    [JsonPropertyName("cpuTemperatureC")] public double? CpuTemperatureC { get; init; }
    [JsonPropertyName("zones")] public required ThermalZone[] Zones { get; init; }
}

public sealed class ThermalZone
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("temperatureC")] public double TemperatureC { get; init; }
}

/// <summary>Bits of the firmware's get_throttled word: 0–3 now, 16–19 since boot.</summary>
public sealed class ThrottlingStatus
{
    /// <summary>The word as the firmware gave it, e.g. <c>0x50005</c>; null when only the hwmon under-voltage alarm was found.</summary>
    [JsonPropertyName("raw")] public string? Raw { get; init; }
    [JsonPropertyName("underVoltage")] public bool UnderVoltage { get; init; }
    [JsonPropertyName("frequencyCapped")] public bool? FrequencyCapped { get; init; }
    [JsonPropertyName("throttled")] public bool? Throttled { get; init; }
    [JsonPropertyName("softTemperatureLimit")] public bool? SoftTemperatureLimit { get; init; }
    [JsonPropertyName("underVoltageOccurred")] public bool? UnderVoltageOccurred { get; init; }
    [JsonPropertyName("frequencyCappedOccurred")] public bool? FrequencyCappedOccurred { get; init; }
    [JsonPropertyName("throttledOccurred")] public bool? ThrottledOccurred { get; init; }
    [JsonPropertyName("softTemperatureLimitOccurred")] public bool? SoftTemperatureLimitOccurred { get; init; }

    /// <summary>Where it was read: the firmware node or the hwmon alarm.</summary>
    [JsonPropertyName("source")] public required string Source { get; init; }
}

/// <summary>statvfs of the root file system (a Pi's SD card): free is what an unprivileged user may still write.</summary>
public sealed class StorageStatus
{
    [JsonPropertyName("path")] public required string Path { get; init; }
    [JsonPropertyName("totalBytes")] public long TotalBytes { get; init; }
    [JsonPropertyName("freeBytes")] public long FreeBytes { get; init; }
    [JsonPropertyName("usedBytes")] public long UsedBytes { get; init; }
}

public sealed class NetworkStatus
{
    /// <summary><c>satisfied</c> with a default route over an interface that is up, else <c>unsatisfied</c>.</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    /// <summary>True when the default route goes over a cellular interface.</summary>
    [JsonPropertyName("isExpensive")] public bool IsExpensive { get; init; }
    [JsonPropertyName("isConstrained")] public bool IsConstrained { get; init; }

    /// <summary>The kinds of interface that are up: <c>wifi</c>, <c>cellular</c>, <c>wired</c>, <c>other</c>.</summary>
    [JsonPropertyName("interfaces")] public required string[] Interfaces { get; init; }

    /// <summary>Every interface but loopback, with its kind and kernel operstate (no addresses).</summary>
    [JsonPropertyName("links")] public required NetworkLink[] Links { get; init; }
}

public sealed class NetworkLink
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("state")] public required string State { get; init; }
    [JsonPropertyName("up")] public bool Up { get; init; }
}

[JsonSerializable(typeof(DeviceInfo))]
[JsonSerializable(typeof(DeviceStatus))]
public sealed partial class DeviceJsonContext : JsonSerializerContext;
