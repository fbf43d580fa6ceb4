namespace ClawEdge.Location;

/// <summary>
/// One position as a source reported it, before the caller's accuracy is applied. Optional values are null when
/// the source did not report them. <see cref="ReceivedTicks"/> is <see cref="Environment.TickCount64"/> when it
/// arrived: cache ages are measured on the monotonic clock, because a Pi without RTC may boot with a wrong wall clock.
/// </summary>
public sealed record LocationFix(
    double Lat,
    double Lon,
    double AccuracyMeters,
    double? AltitudeMeters,
    double? SpeedMps,
    double? HeadingDeg,
    DateTimeOffset Timestamp,
    string Source,
    long ReceivedTicks);
