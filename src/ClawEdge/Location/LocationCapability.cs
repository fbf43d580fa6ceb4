using System.Net.Sockets;
using ClawEdge.Host;
using ClawEdge.Service;

namespace ClawEdge.Location;

/// <summary>
/// <c>location.get</c> from gpsd, GeoClue2 or a fixed position; off until <c>Location:Enabled</c>. The gateway allows
/// it for Linux nodes by default (its bundled linux-node plugin's policy), so enabling it here is the owner's consent.
/// </summary>
public sealed class LocationCapability : Capability
{
    public const string DisabledMessage = "location is off: set \"Location\": {\"Enabled\": true} in /etc/clawedge/clawedge.json (or CLAWEDGE_Location__Enabled=true) and restart the node";

    public override string Name => "location";
    public override string? Verb => "location";
    public override string? VerbHelp => "clawedge location get|bench …         a fix from this node's source (see: clawedge location help)";

    public override IEnumerable<NodeCommand> CreateCommands(NodeServices services)
    {
        if (!services.Options.Location.Enabled)
            return [];
        return [new LocationGetCommand(new LocationResolver(services.Options.Location))];
    }

    public override Task<int> RunVerbAsync(ClawEdge.Cli.CommandLine line) => LocationCli.RunAsync(line);

    public override IEnumerable<DoctorCheck> Doctor(NodeServices services)
    {
        var options = services.Options.Location;
        if (!options.Enabled)
        {
            yield return new(CheckStatus.Ok, "location", "off (Location:Enabled is false)");
            yield break;
        }
        LocationResolver resolver;
        DoctorCheck? broken = null;
        try
        {
            resolver = new LocationResolver(options);
        }
        catch (ClawEdge.Config.ConfigException e)
        {
            broken = new(CheckStatus.Fail, "location", e.Message, "fix the Location section of the config");
            resolver = null!;
        }
        if (broken is not null)
        {
            yield return broken;
            yield break;
        }
        if (resolver.Source is "auto" or "gpsd")
            yield return GpsdListens(resolver.GpsdAddress)
                ? new(CheckStatus.Ok, "location", $"gpsd listens at {resolver.GpsdAddress}")
                : new(resolver.Source == "gpsd" ? CheckStatus.Fail : CheckStatus.Warn, "location", $"gpsd does not listen at {resolver.GpsdAddress}",
                    "apt install gpsd gpsd-clients; /etc/default/gpsd: DEVICES=\"/dev/serial0\" GPSD_OPTIONS=\"-n\"; `cgps` shows fixes");
        if (resolver.Source is "auto" or "geoclue")
        {
            var endPoint = ClawEdge.Location.DBus.DBusConnection.UnixEndPoint(ClawEdge.Location.DBus.DBusConnection.SystemBusAddress);
            string? path = endPoint?.ToString();
            bool present = path is not null && (path.StartsWith('\0') || path.StartsWith('@') || File.Exists(path));
            yield return present
                ? new(CheckStatus.Ok, "location", $"system bus at {path} (GeoClue answers there when geoclue-2.0 is installed)")
                : new(resolver.Source == "geoclue" ? CheckStatus.Fail : CheckStatus.Warn, "location", "no D-Bus system bus", "GeoClue needs dbus and geoclue-2.0");
        }
    }

    private static bool GpsdListens(GpsdAddress address)
    {
        try
        {
            using var socket = address.SocketPath is not null
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            socket.ConnectAsync(address.EndPoint, timeout.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
