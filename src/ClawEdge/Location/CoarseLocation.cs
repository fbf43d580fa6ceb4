namespace ClawEdge.Location;

/// <summary>
/// What <c>desiredAccuracy: "coarse"</c> does to a fix, so that it cannot point at a house: latitude and longitude
/// snap to the nearest multiple of 0.02° (a cell about 2.2 km north–south, 2.2 km × cos(latitude) east–west, the
/// size of the 2 km grid Android uses for approximate location); altitude, speed and heading are dropped; the
/// accuracy becomes the fix's own plus the worst rounding error (half a cell's diagonal at the equator, 1 575 m),
/// and at least 2 000 m. The grid is fixed, not randomly offset: a device crossing a cell border reveals that border.
/// </summary>
public static class CoarseLocation
{
    public const double GridDegrees = 0.02;
    public const double MinimumAccuracyMeters = 2_000;

    /// <summary>√2 × half a cell × metres per degree of latitude (111 320), rounded up.</summary>
    public static readonly double RoundingErrorMeters = Math.Ceiling(Math.Sqrt(2) * (GridDegrees / 2) * 111_320);

    public static LocationFix Apply(LocationFix fix) => fix with
    {
        Lat = Snap(fix.Lat, 90),
        Lon = Snap(fix.Lon, 180),
        AccuracyMeters = Math.Max(MinimumAccuracyMeters, Math.Ceiling(fix.AccuracyMeters + RoundingErrorMeters)),
        AltitudeMeters = null,
        SpeedMps = null,
        HeadingDeg = null,
    };

    // Rounded twice: once onto the grid, once to two decimals so 48.120000000000005 prints as 48.12.
    private static double Snap(double degrees, double limit) =>
        Math.Clamp(Math.Round(Math.Round(degrees / GridDegrees, MidpointRounding.AwayFromZero) * GridDegrees, 2), -limit, limit);
}
