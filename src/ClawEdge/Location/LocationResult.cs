using System.Globalization;
using System.Text.Json.Serialization;

namespace ClawEdge.Location;

/// <summary>The <c>location.get</c> payload (docs/nodes/location-command.md of openclaw 2026.9.6), with the true source.</summary>
public sealed class LocationResult
{
    [JsonPropertyName("lat")] public double Lat { get; init; }
    [JsonPropertyName("lon")] public double Lon { get; init; }
    [JsonPropertyName("accuracyMeters")] public double AccuracyMeters { get; init; }

    [JsonPropertyName("altitudeMeters"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? AltitudeMeters { get; init; }

    [JsonPropertyName("speedMps"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SpeedMps { get; init; }

    [JsonPropertyName("headingDeg"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? HeadingDeg { get; init; }

    /// <summary>ISO 8601 UTC of the fix itself (millisecond precision, as JavaScript's <c>toISOString</c>).</summary>
    [JsonPropertyName("timestamp")] public required string Timestamp { get; init; }

    /// <summary>True when the position was not coarsened and its accuracy is 100 m or better (the reference's rule).</summary>
    [JsonPropertyName("isPrecise")] public bool IsPrecise { get; init; }

    /// <summary><c>gps</c>, <c>geoclue</c> or <c>fixed</c>.</summary>
    [JsonPropertyName("source")] public required string Source { get; init; }

    public static LocationResult From(LocationFix fix, LocationAccuracy accuracy)
    {
        var shown = accuracy == LocationAccuracy.Coarse ? CoarseLocation.Apply(fix) : fix;
        return new LocationResult
        {
            Lat = shown.Lat,
            Lon = shown.Lon,
            AccuracyMeters = shown.AccuracyMeters,
            AltitudeMeters = shown.AltitudeMeters,
            SpeedMps = shown.SpeedMps,
            HeadingDeg = shown.HeadingDeg,
            Timestamp = shown.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            IsPrecise = accuracy != LocationAccuracy.Coarse && shown.AccuracyMeters <= 100,
            Source = shown.Source,
        };
    }
}

[JsonSerializable(typeof(LocationResult))]
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.Strict)]
public sealed partial class LocationJsonContext : JsonSerializerContext;
