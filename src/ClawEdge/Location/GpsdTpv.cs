using System.Globalization;
using System.Text.Json;

namespace ClawEdge.Location;

/// <summary>
/// Reads one gpsd TPV (time-position-velocity) report. A report is a usable fix when it has <c>mode ≥ 2</c>, a
/// latitude and longitude, the fix's <c>time</c> and an error estimate (<c>eph</c>, else the larger of
/// <c>epx</c>/<c>epy</c>); anything else says why not, for the timeout message.
/// </summary>
public static class GpsdTpv
{
    public static LocationFix? Read(JsonElement tpv, long receivedTicks, out string? whyNot)
    {
        whyNot = null;
        int mode = Number(tpv, "mode") is { } m ? (int)m : 0;
        double? lat = Number(tpv, "lat"), lon = Number(tpv, "lon");
        if (mode < 2 || lat is null || lon is null)
        {
            whyNot = "the receiver has no fix yet (TPV mode " + mode + "): it needs a clear view of the sky, a cold start can take minutes";
            return null;
        }
        if (lat is < -90 or > 90 || lon is < -180 or > 180)
        {
            whyNot = $"gpsd reported an impossible position ({lat}, {lon})";
            return null;
        }
        if (!tpv.TryGetProperty("time", out var time) || time.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var timestamp))
        {
            whyNot = "gpsd reports positions without a time (does the receiver send RMC or ZDA sentences?)";
            return null;
        }
        double? accuracy = Number(tpv, "eph");
        if (accuracy is null && (Number(tpv, "epx"), Number(tpv, "epy")) is var (epx, epy) && (epx is not null || epy is not null))
            accuracy = Math.Max(epx ?? 0, epy ?? 0);
        if (accuracy is null or < 0)
        {
            whyNot = "gpsd reports positions without an error estimate (eph/epx/epy): the receiver sends no DOP (GSA/GGA)";
            return null;
        }
        // A 2D fix has no altitude worth reporting; gpsd leaves altMSL out then, older gpsd sends "alt".
        double? altitude = mode >= 3 ? Number(tpv, "altMSL") ?? Number(tpv, "alt") : null;
        return new LocationFix(lat.Value, lon.Value, accuracy.Value, altitude, Number(tpv, "speed"), Number(tpv, "track"),
            timestamp, "gps", receivedTicks);
    }

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && double.IsFinite(d)
            ? d
            : null;
}
