using System.Text.Json.Serialization;

namespace ClawEdge.Camera;

/// <summary><c>camera.snap</c> params; numbers stay doubles so any JSON number is accepted and clamped, like the reference.</summary>
public sealed class CameraSnapParams
{
    public string? Facing { get; set; }
    public string? DeviceId { get; set; }
    public double? MaxWidth { get; set; }
    public double? Quality { get; set; }
    public string? Format { get; set; }
    public double? DelayMs { get; set; }
}

public sealed class CameraListResult
{
    public required List<CameraDevice> Devices { get; init; }
}

public sealed class CameraDevice
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Position { get; init; }
    public required string DeviceType { get; init; }
    public required string Backend { get; init; }
    public string? Driver { get; init; }
    public string? BusInfo { get; init; }
    public required List<CameraFormat> Formats { get; init; }
}

public sealed class CameraFormat
{
    public required string Format { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public double Fps { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CameraSnapParams))]
[JsonSerializable(typeof(CameraListResult))]
internal sealed partial class CameraJsonContext : JsonSerializerContext;
