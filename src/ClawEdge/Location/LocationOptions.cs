namespace ClawEdge.Location;

/// <summary>The <c>Location</c> section: <c>location.get</c>, off until enabled (as on the reference Linux host).</summary>
public sealed class LocationOptions
{
    /// <summary>Serve <c>location.get</c>. A position is personal data: off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary><c>auto</c> (gpsd, then GeoClue, then <see cref="Fixed"/>), <c>gpsd</c>, <c>geoclue</c> or <c>fixed</c>.</summary>
    public string Source { get; set; } = "auto";

    /// <summary>Where gpsd serves its JSON protocol: <c>host:port</c>, <c>host</c> (port 2947) or a unix socket path.</summary>
    public string Gpsd { get; set; } = "127.0.0.1:2947";

    /// <summary>The position of an installation that never moves.</summary>
    public FixedPositionOptions? Fixed { get; set; }
}

public sealed class FixedPositionOptions
{
    public double? Lat { get; set; }
    public double? Lon { get; set; }
    public double? AccuracyMeters { get; set; }
    public double? AltitudeMeters { get; set; }
}
