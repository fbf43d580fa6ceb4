using System.Text.Json.Serialization;

namespace ClawEdge.Device;

/// <summary>
/// <c>device.info</c>, the shape of OpenClawKit's DeviceCommands.swift (iOS, Android, ESP32 nodes), plus the kernel
/// and architecture. A value this machine does not have is null, never a guess.
/// </summary>
public sealed class DeviceInfo
{
    [JsonPropertyName("deviceName")] public required string DeviceName { get; init; }

    /// <summary>The board: <c>/proc/device-tree/model</c> (a Pi's "Raspberry Pi 4 Model B Rev 1.4"), else the DMI product name.</summary>
    [JsonPropertyName("modelIdentifier")] public string? ModelIdentifier { get; init; }

    /// <summary><c>NAME</c> of <c>/etc/os-release</c>, else "Linux".</summary>
    [JsonPropertyName("systemName")] public required string SystemName { get; init; }

    /// <summary>The OS version from os-release and the kernel release: "12 (bookworm), kernel 6.6.51+rpt-rpi-v8".</summary>
    [JsonPropertyName("systemVersion")] public required string SystemVersion { get; init; }

    [JsonPropertyName("appVersion")] public required string AppVersion { get; init; }
    [JsonPropertyName("appBuild")] public required string AppBuild { get; init; }

    /// <summary>The locale of LC_ALL / LC_MESSAGES / LANG as a BCP 47 tag ("de-DE"); null for C/POSIX or unset.</summary>
    [JsonPropertyName("locale")] public string? Locale { get; init; }

    [JsonPropertyName("kernelRelease")] public string? KernelRelease { get; init; }
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
}
