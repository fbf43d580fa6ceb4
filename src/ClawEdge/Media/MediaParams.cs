using System.Text.Json;

namespace ClawEdge.Media;

/// <summary>
/// Reads loosely typed numeric params the way the reference Linux node does: a JSON number is taken
/// (floored), anything else — a string, null, missing — means the default. Then clamped.
/// </summary>
public static class MediaParams
{
    public static int ClampedInt(JsonElement? value, int fallback, int min, int max)
    {
        if (value is not { ValueKind: JsonValueKind.Number } number || !number.TryGetDouble(out double d) || !double.IsFinite(d))
            return fallback;
        return (int)Math.Clamp(Math.Floor(d), min, max);
    }

    public static double ClampedDouble(JsonElement? value, double fallback, double min, double max)
    {
        if (value is not { ValueKind: JsonValueKind.Number } number || !number.TryGetDouble(out double d) || !double.IsFinite(d))
            return fallback;
        return Math.Clamp(d, min, max);
    }

    /// <summary>The requested format: absent means mp4; anything but mp4 is refused by the caller.</summary>
    public static string Format(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.String } s ? (s.GetString() ?? "mp4").ToLowerInvariant() : "mp4";
}
