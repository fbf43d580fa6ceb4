using System.Text.Json;
using ClawEdge.Host;

namespace ClawEdge.Location;

/// <summary>
/// <c>location.get</c> params as the gateway 2026.9.6 sends them: <c>{timeoutMs?, maxAgeMs?, desiredAccuracy?}</c>.
/// Numbers are clamped as the reference Linux host does (timeout 1 000–60 000 ms, default 10 000); a value of the
/// wrong type or an unknown accuracy is an <c>INVALID_REQUEST</c> rather than a silent default, so a typo shows.
/// </summary>
public sealed record LocationRequest(int TimeoutMs, long? MaxAgeMs, LocationAccuracy Accuracy)
{
    public const int DefaultTimeoutMs = 10_000;
    public const int MinTimeoutMs = 1_000;
    public const int MaxTimeoutMs = 60_000;

    public static LocationRequest Parse(string? paramsJson)
    {
        if (string.IsNullOrWhiteSpace(paramsJson) || paramsJson.Trim() == "null")
            return new(DefaultTimeoutMs, null, LocationAccuracy.Balanced);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(paramsJson);
        }
        catch (JsonException e)
        {
            throw Invalid($"params are not JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid("params must be an object {timeoutMs?, maxAgeMs?, desiredAccuracy?}");

            int timeoutMs = DefaultTimeoutMs;
            if (Number(root, "timeoutMs", "a number of milliseconds (1000–60000)") is { } t)
                timeoutMs = (int)Math.Clamp(Math.Floor(t), MinTimeoutMs, MaxTimeoutMs);

            long? maxAgeMs = null;
            if (Number(root, "maxAgeMs", "a number of milliseconds ≥ 0") is { } m)
            {
                if (m < 0)
                    throw Invalid($"maxAgeMs must be ≥ 0 (got {m}); leave it out to always ask for a new fix");
                maxAgeMs = (long)Math.Min(Math.Floor(m), TimeSpan.FromDays(1).TotalMilliseconds);
            }

            var accuracy = LocationAccuracy.Balanced;
            if (root.TryGetProperty("desiredAccuracy", out var a) && a.ValueKind != JsonValueKind.Null)
            {
                accuracy = a.ValueKind == JsonValueKind.String ? a.GetString() switch
                {
                    "coarse" => LocationAccuracy.Coarse,
                    "balanced" => LocationAccuracy.Balanced,
                    "precise" => LocationAccuracy.Precise,
                    _ => throw Invalid($"desiredAccuracy must be coarse, balanced or precise (got \"{a.GetString()}\")"),
                } : throw Invalid($"desiredAccuracy must be the string coarse, balanced or precise (got {a.ValueKind})");
            }
            return new(timeoutMs, maxAgeMs, accuracy);
        }
    }

    private static double? Number(JsonElement root, string name, string expected)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || !double.IsFinite(number))
            throw Invalid($"{name} must be {expected} (got {value.GetRawText()})");
        return number;
    }

    // The code leads the message as in the reference's errors: the CLI prints only the message.
    private static CommandException Invalid(string message) => new(ErrorCodes.InvalidRequest, $"INVALID_REQUEST: location.get: {message}");
}
