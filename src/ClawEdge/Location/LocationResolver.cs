using ClawEdge.Host;

namespace ClawEdge.Location;

/// <summary>
/// Answers one <c>location.get</c>: a cached fix young enough for <c>maxAgeMs</c>, else the configured source, or in
/// <c>auto</c> the first source that is there (gpsd, GeoClue, the fixed position). A source that is there but finds
/// no fix in time is the answer (<c>LOCATION_TIMEOUT</c>); the next source is only tried when one is absent.
/// </summary>
public sealed class LocationResolver
{
    private readonly LocationOptions _options;
    private readonly GpsdClient _gpsd;
    private readonly GeoClueClient _geoClue;
    private readonly Func<long> _ticks;
    private LocationFix? _last;

    public LocationResolver(LocationOptions options, string? systemBusAddress = null, Func<long>? ticks = null)
    {
        _options = options;
        Source = options.Source.Trim().ToLowerInvariant() switch
        {
            "auto" or "" => "auto",
            "gpsd" or "gps" => "gpsd",
            "geoclue" => "geoclue",
            "fixed" => "fixed",
            _ => throw new ClawEdge.Config.ConfigException($"Location:Source is '{options.Source}': use auto, gpsd, geoclue or fixed"),
        };
        try
        {
            _gpsd = new GpsdClient(GpsdAddress.Parse(options.Gpsd));
        }
        catch (FormatException e)
        {
            throw new ClawEdge.Config.ConfigException(e.Message);
        }
        _geoClue = new GeoClueClient(systemBusAddress ?? ClawEdge.Location.DBus.DBusConnection.SystemBusAddress);
        Fixed = FixedFix(options.Fixed);
        if (Source == "fixed" && Fixed is null)
            throw new ClawEdge.Config.ConfigException("Location:Source is fixed but Location:Fixed {Lat, Lon, AccuracyMeters} is not set");
        _ticks = ticks ?? (() => Environment.TickCount64);
    }

    /// <summary><c>auto</c>, <c>gpsd</c>, <c>geoclue</c> or <c>fixed</c>.</summary>
    public string Source { get; }

    public GpsdAddress GpsdAddress => _gpsd.Address;

    private LocationFix? Fixed { get; }

    /// <param name="budgetMs">The time left for a fix: the request's clamped timeout, shortened to the invoke's own deadline.</param>
    public async Task<LocationFix> GetAsync(LocationRequest request, int budgetMs, CancellationToken cancellationToken)
    {
        if (request.MaxAgeMs is { } maxAge && _last is { } last && _ticks() - last.ReceivedTicks <= maxAge)
            return last;

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Math.Max(1, budgetMs));
        var absent = new List<string>();
        try
        {
            foreach (string source in Source == "auto" ? ["gpsd", "geoclue", "fixed"] : (string[])[Source])
            {
                try
                {
                    var fix = source switch
                    {
                        "gpsd" => await _gpsd.GetFixAsync(deadline.Token).ConfigureAwait(false),
                        "geoclue" => await _geoClue.GetFixAsync(request.Accuracy, deadline.Token).ConfigureAwait(false),
                        _ => Fixed is { } f ? f with { Timestamp = DateTimeOffset.UtcNow, ReceivedTicks = _ticks() }
                            : throw new SourceAbsentException("no Location:Fixed position is configured"),
                    };
                    // Aged on the resolver's clock from here on (the source's own stamp is the same moment).
                    _last = fix with { ReceivedTicks = _ticks() };
                    return _last;
                }
                catch (SourceAbsentException e)
                {
                    absent.Add(e.Message);
                }
            }
        }
        catch (TimeoutException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken); // the invoke itself ended: the registry answers
        }
        catch (TimeoutException e)
        {
            throw new CommandException(ErrorCodes.LocationTimeout, $"LOCATION_TIMEOUT: no fix in {budgetMs} ms: {e.Message}");
        }
        catch (GpsdLostException e)
        {
            throw new CommandException(ErrorCodes.LocationUnavailable, $"LOCATION_UNAVAILABLE: {e.Message}");
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or ClawEdge.Location.DBus.DBusException or System.Net.Sockets.SocketException)
        {
            throw new CommandException(ErrorCodes.LocationUnavailable, $"LOCATION_UNAVAILABLE: {e.Message}");
        }
        throw new CommandException(ErrorCodes.LocationUnavailable, "LOCATION_UNAVAILABLE: " + (Source == "auto"
            ? "no location source: " + string.Join("; ", absent) + " (or set Location:Fixed for an installation that never moves)"
            : absent[0]));
    }

    private static LocationFix? FixedFix(FixedPositionOptions? position)
    {
        if (position is null || (position.Lat is null && position.Lon is null && position.AccuracyMeters is null && position.AltitudeMeters is null))
            return null;
        if (position.Lat is not { } lat || lat is < -90 or > 90 || !double.IsFinite(lat))
            throw new ClawEdge.Config.ConfigException("Location:Fixed:Lat must be a latitude between -90 and 90");
        if (position.Lon is not { } lon || lon is < -180 or > 180 || !double.IsFinite(lon))
            throw new ClawEdge.Config.ConfigException("Location:Fixed:Lon must be a longitude between -180 and 180");
        if (position.AccuracyMeters is not { } accuracy || accuracy < 0 || !double.IsFinite(accuracy))
            throw new ClawEdge.Config.ConfigException("Location:Fixed:AccuracyMeters must be set (metres, ≥ 0): how far the true position may be");
        return new LocationFix(lat, lon, accuracy, position.AltitudeMeters, null, null, default, "fixed", 0);
    }
}
