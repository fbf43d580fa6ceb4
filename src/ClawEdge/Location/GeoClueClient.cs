using System.Net.Sockets;
using ClawEdge.Location.DBus;
using ClawEdge.Host;

namespace ClawEdge.Location;

/// <summary>
/// One fix from GeoClue2 on the system bus, over the D-Bus client in <c>DBus/</c> (no <c>where-am-i</c>, no
/// <c>busctl</c>): Manager.GetClient, DesktopId and RequestedAccuracyLevel, Start, the first LocationUpdated signal,
/// the Location object's properties, Stop. GeoClue ties a client to its bus connection, so all of it runs on one
/// connection that closes when the call ends.
/// </summary>
public sealed class GeoClueClient(string busAddress)
{
    public const string Service = "org.freedesktop.GeoClue2";
    public const string DesktopId = "clawedge";

    /// <exception cref="SourceAbsentException">no system bus, or GeoClue is not installed on it.</exception>
    /// <exception cref="CommandException"><c>LOCATION_DISABLED</c> when GeoClue refuses this client.</exception>
    /// <exception cref="TimeoutException">no location before <paramref name="cancellationToken"/> fired.</exception>
    public async Task<LocationFix> GetFixAsync(LocationAccuracy accuracy, CancellationToken cancellationToken)
    {
        DBusConnection bus;
        try
        {
            bus = await DBusConnection.ConnectAsync(busAddress, ClawEdge.Platform.Native.Libc.GetUid(), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new SourceAbsentException($"no D-Bus system bus at {busAddress} ({e.SocketErrorCode}): GeoClue needs dbus and geoclue-2.0 installed");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the D-Bus system bus at {busAddress} did not answer in time");
        }
        await using var _ = bus.ConfigureAwait(false);

        string stage = "GetClient";
        try
        {
            var client = (string)(await bus.CallAsync(Service, "/org/freedesktop/GeoClue2/Manager", "org.freedesktop.GeoClue2.Manager", "GetClient",
                cancellationToken: cancellationToken).ConfigureAwait(false)).ReadBody()[0]!;
            stage = "Start";
            await bus.CallAsync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch", "s",
                w => w.String($"type='signal',sender='{Service}',interface='org.freedesktop.GeoClue2.Client',member='LocationUpdated',path='{client}'"),
                cancellationToken).ConfigureAwait(false);
            await SetAsync(bus, client, "DesktopId", DesktopId, cancellationToken).ConfigureAwait(false);
            await SetAsync(bus, client, "RequestedAccuracyLevel", Level(accuracy), cancellationToken).ConfigureAwait(false);
            await bus.CallAsync(Service, client, "org.freedesktop.GeoClue2.Client", "Start", cancellationToken: cancellationToken).ConfigureAwait(false);
            stage = "LocationUpdated";
            var updated = await bus.WaitForSignalAsync(m => m.Path == client && m.Member == "LocationUpdated", cancellationToken).ConfigureAwait(false);
            long ticks = Environment.TickCount64;
            string location = (string)updated.ReadBody()[1]!;
            var properties = (Dictionary<string, object?>)(await bus.CallAsync(Service, location, "org.freedesktop.DBus.Properties", "GetAll", "s",
                w => w.String("org.freedesktop.GeoClue2.Location"), cancellationToken).ConfigureAwait(false)).ReadBody()[0]!;
            try
            {
                await bus.CallAsync(Service, client, "org.freedesktop.GeoClue2.Client", "Stop", cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (DBusException)
            {
                // Closing the connection stops the client too; Stop only makes it prompt.
            }
            return ToFix(properties, ticks);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(stage switch
            {
                // GeoClue holds GetClient until an authorization agent for this uid registers.
                "GetClient" => $"GeoClue is waiting for an authorization agent for uid {ClawEdge.Platform.Native.Libc.GetUid()}: on a desktop the shell's; "
                    + "headless, run /usr/libexec/geoclue-2.0/demos/agent as this user (geoclue-demo-agent must be in [agent] whitelist of /etc/geoclue/geoclue.conf)",
                "Start" => "GeoClue did not answer Start in time",
                _ => "GeoClue found no location in time (no GPS, Wi-Fi or network source answered)",
            });
        }
        catch (DBusException e) when (e.Name is "org.freedesktop.DBus.Error.ServiceUnknown" or "org.freedesktop.DBus.Error.NameHasNoOwner")
        {
            throw new SourceAbsentException($"GeoClue2 is not on the system bus ({e.Name}): install geoclue-2.0 (apt install geoclue-2.0)");
        }
        catch (DBusException e) when (e.Name == "org.freedesktop.DBus.Error.AccessDenied" || e.Detail.Contains("disabled", StringComparison.OrdinalIgnoreCase)
            || e.Detail.Contains("disallowed", StringComparison.OrdinalIgnoreCase) || e.Detail.Contains("not authorized", StringComparison.OrdinalIgnoreCase))
        {
            throw new CommandException(ErrorCodes.LocationDisabled, $"LOCATION_DISABLED: GeoClue refused {stage} ({e.Message}). Allow this node in /etc/geoclue/geoclue.conf: "
                + $"[{DesktopId}] allowed=true system=true users= — and make sure location services are on for uid {ClawEdge.Platform.Native.Libc.GetUid()}");
        }
    }

    /// <summary>GeoClue's GClueAccuracyLevel as the reference maps it: city 4, street 6, exact 8.</summary>
    public static uint Level(LocationAccuracy accuracy) => accuracy switch
    {
        LocationAccuracy.Coarse => 4,
        LocationAccuracy.Precise => 8,
        _ => 6,
    };

    private static Task SetAsync(DBusConnection bus, string client, string property, object value, CancellationToken cancellationToken) =>
        bus.CallAsync(Service, client, "org.freedesktop.DBus.Properties", "Set", "ssv", w =>
        {
            w.String("org.freedesktop.GeoClue2.Client");
            w.String(property);
            w.Variant(value);
        }, cancellationToken);

    /// <summary>
    /// org.freedesktop.GeoClue2.Location: Latitude, Longitude, Accuracy (m), Altitude (−DBL_MAX when unknown),
    /// Speed (m/s) and Heading (°), each −1 when unknown, and Timestamp (seconds, microseconds) of the fix.
    /// </summary>
    public static LocationFix ToFix(IReadOnlyDictionary<string, object?> properties, long receivedTicks)
    {
        double Get(string name) => properties.TryGetValue(name, out var v) && v is double d ? d
            : throw new FormatException($"GeoClue's location has no {name}");
        double? Optional(string name, double unknownBelow) =>
            properties.TryGetValue(name, out var v) && v is double d && double.IsFinite(d) && d >= unknownBelow ? d : null;

        double lat = Get("Latitude"), lon = Get("Longitude"), accuracy = Get("Accuracy");
        if (lat is < -90 or > 90 || lon is < -180 or > 180 || accuracy < 0 || !double.IsFinite(accuracy))
            throw new FormatException($"GeoClue reported an impossible location ({lat}, {lon} ±{accuracy} m)");
        var timestamp = properties.TryGetValue("Timestamp", out var t) && t is object?[] { Length: 2 } pair && pair[0] is ulong seconds && pair[1] is ulong micros
            ? DateTimeOffset.FromUnixTimeSeconds((long)seconds).AddTicks((long)micros * 10)
            : DateTimeOffset.UtcNow;
        return new LocationFix(lat, lon, accuracy,
            properties.TryGetValue("Altitude", out var a) && a is double alt && alt > -1e300 ? alt : null,
            Optional("Speed", 0), Optional("Heading", 0), timestamp, "geoclue", receivedTicks);
    }
}
