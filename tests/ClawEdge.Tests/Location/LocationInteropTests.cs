using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClawEdge.Location;
using ClawEdge.Tests.Interop;
using TUnit.Core.Interfaces;

namespace ClawEdge.Tests.Location;

/// <summary>
/// One real gateway (default command policy: location.get is allowed for Linux nodes by its bundled linux-node
/// plugin; nothing is added to commands.allow), a real gpsd fed by gpsfake with a moving track, and a node
/// reading it, driven through the real <c>openclaw nodes location get</c> and <c>nodes invoke</c>.
/// </summary>
public sealed class GpsdNodeFixture : IAsyncInitializer, IAsyncDisposable
{
    public RealGateway Gateway { get; private set; } = null!;
    public GpsFake Gps { get; private set; } = null!;
    public NmeaTrack Track { get; private set; } = null!;
    public EdgeNode Node { get; private set; } = null!;
    public string NodeId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Track = NmeaTrack.Moving(48.117350, 11.516667);
        Gps = await GpsFake.StartAsync(Track);
        Gateway = await RealGateway.StartAsync();
        Node = EdgeNode.Start(Gateway, environment: LocationEnvironment("gpsd", Gps.Address));
        NodeId = await Node.ConnectAndApproveAsync(Gateway);
    }

    public static Dictionary<string, string?> LocationEnvironment(string source, string gpsd) => new()
    {
        ["CLAWEDGE_Location__Enabled"] = "true",
        ["CLAWEDGE_Location__Source"] = source,
        ["CLAWEDGE_Location__Gpsd"] = gpsd,
        ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=/nonexistent/ce-no-bus",
    };

    public async ValueTask DisposeAsync()
    {
        if (Node is not null) await Node.DisposeAsync();
        if (Gateway is not null) await Gateway.DisposeAsync();
        if (Gps is not null) await Gps.DisposeAsync();
    }
}

// One node, one cache: the calls run one after another so "the second call within maxAgeMs" is really the second.
[ClassDataSource<GpsdNodeFixture>(Shared = SharedType.PerClass)]
[NotInParallel("gpsd-node")]
public class LocationInteropTests(GpsdNodeFixture f)
{
    /// <summary><c>openclaw nodes location get … --json</c>; the payload.</summary>
    public static Task<JsonNode> LocationAsync(RealGateway gateway, string nodeId, params string[] extra) =>
        EdgeNode.CliForNodeAsync(gateway, nodeId, "location.get", ["nodes", "location", "get", "--node", nodeId, .. extra]);

    /// <summary>A CLI call expected to fail: its exit code and output (the gateway relays the node's code and message).</summary>
    public static async Task<string> FailingAsync(RealGateway gateway, params string[] args)
    {
        var (code, output) = await gateway.CliAsync(args);
        await Assert.That(code).IsNotEqualTo(0).Because(output);
        return output;
    }

    public static int InvokeMs(EdgeNode node, string code, int fromLine)
    {
        var line = node.Process.Output.Split('\n').Skip(fromLine).Last(l => l.Contains($"invoke location.get", StringComparison.Ordinal) && l.Contains($"→ {code} in ", StringComparison.Ordinal));
        return int.Parse(Regex.Match(line, @"in (\d+) ms").Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private async Task AssertOnTrack(JsonNode fix)
    {
        var timestamp = DateTime.Parse((string)fix["timestamp"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        int second = (int)Math.Round((timestamp - f.Track.Start).TotalSeconds);
        await Assert.That(second).IsBetween(0, 1199).Because($"fix time {timestamp:O} is on the track that started {f.Track.Start:O}");
        await Assert.That(timestamp - f.Track.Start).IsEqualTo(TimeSpan.FromSeconds(second)).Because("the fix carries the log's own whole-second time");
        var (lat, lon) = f.Track.Position(second);
        await Assert.That(Math.Abs((double)fix["lat"]! - lat)).IsLessThan(1e-5);
        await Assert.That(Math.Abs((double)fix["lon"]! - lon)).IsLessThan(1e-5);
    }

    [Test]
    public async Task The_CLI_gets_the_tracks_position_speed_course_and_fix_time_from_gpsd()
    {
        var before = DateTime.UtcNow.AddSeconds(-30);
        var fix = await LocationAsync(f.Gateway, f.NodeId, "--accuracy", "precise");
        await AssertOnTrack(fix);
        await Assert.That((string?)fix["source"]).IsEqualTo("gps");
        // 12.3 kn in the RMC; gpsd 3.22 may report its own speed estimate from the moving fixes, a few mm/s apart.
        await Assert.That(Math.Abs((double)fix["speedMps"]! - NmeaTrack.SpeedMps)).IsLessThan(0.02);
        await Assert.That((double)fix["headingDeg"]!).IsEqualTo(NmeaTrack.CourseDeg);
        await Assert.That((double)fix["altitudeMeters"]!).IsEqualTo(NmeaTrack.AltitudeMsl);
        await Assert.That((bool)fix["isPrecise"]!).IsTrue();
        await Assert.That((double)fix["accuracyMeters"]!).IsGreaterThan(0);
        await Assert.That(DateTime.Parse((string)fix["timestamp"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)).IsGreaterThan(before);
        await Assert.That((string)fix["timestamp"]!).Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$");
    }

    [Test]
    public async Task A_second_call_within_maxAgeMs_answers_from_the_cache()
    {
        var first = await LocationAsync(f.Gateway, f.NodeId, "--max-age", "120000");
        var second = await LocationAsync(f.Gateway, f.NodeId, "--max-age", "120000");
        await Assert.That((string?)second["timestamp"]).IsEqualTo((string?)first["timestamp"]);
        await Assert.That((double)second["lat"]!).IsEqualTo((double)first["lat"]!);
        // gpsd moved on meanwhile (one fix a second): without maxAgeMs the node asks again and gets a later fix.
        var fresh = await LocationAsync(f.Gateway, f.NodeId);
        await Assert.That(string.CompareOrdinal((string)fresh["timestamp"]!, (string)first["timestamp"]!)).IsGreaterThan(0);
        await AssertOnTrack(fresh);
    }

    [Test]
    public async Task Coarse_rounds_to_the_documented_grid_and_drops_motion()
    {
        var fix = await LocationAsync(f.Gateway, f.NodeId, "--accuracy", "coarse");
        var timestamp = DateTime.Parse((string)fix["timestamp"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var (lat, lon) = f.Track.Position((int)Math.Round((timestamp - f.Track.Start).TotalSeconds));
        await Assert.That((double)fix["lat"]!).IsEqualTo(Math.Round(Math.Round(lat / 0.02) * 0.02, 2));
        await Assert.That((double)fix["lon"]!).IsEqualTo(Math.Round(Math.Round(lon / 0.02) * 0.02, 2));
        await Assert.That((double)fix["accuracyMeters"]!).IsGreaterThanOrEqualTo(2000);
        await Assert.That((bool)fix["isPrecise"]!).IsFalse();
        await Assert.That(fix.AsObject().ContainsKey("speedMps")).IsFalse();
        await Assert.That(fix.AsObject().ContainsKey("altitudeMeters")).IsFalse();
        await Assert.That((string?)fix["source"]).IsEqualTo("gps");
    }

    [Test]
    public async Task Bad_params_are_clamped_or_refused_and_the_node_stays_connected()
    {
        // Out-of-range numbers are clamped as the reference does: a fix, not an error.
        foreach (var timeout in new[] { "0", "1e9", "-5" })
        {
            var answer = await EdgeNode.InvokeAsync(f.Gateway, f.NodeId, "location.get", $$"""{"timeoutMs":{{timeout}}}""");
            await Assert.That((string?)answer["payload"]!["source"]).IsEqualTo("gps").Because($"timeoutMs {timeout}");
        }
        foreach (var (parameters, named) in new[] { ("""{"timeoutMs":"abc"}""", "timeoutMs"), ("""{"desiredAccuracy":"x"}""", "desiredAccuracy"), ("""{"maxAgeMs":-1}""", "maxAgeMs") })
        {
            string output = await FailingAsync(f.Gateway, "nodes", "invoke", "--node", f.NodeId, "--command", "location.get", "--params", parameters);
            await Assert.That(output).Contains("INVALID_REQUEST");
            await Assert.That(output).Contains(named);
        }
        var status = await f.Gateway.NodeStatusAsync(f.NodeId);
        await Assert.That((bool?)status!["connected"]).IsTrue();
        await Assert.That((string?)(await LocationAsync(f.Gateway, f.NodeId))["source"]).IsEqualTo("gps");
    }

    [Test]
    public async Task A_default_gateway_withholds_device_commands_from_a_linux_node()
    {
        // The node declares device.info (Device is on by default), the gateway's Linux policy does not admit it:
        // the README's gateway.nodes.commands.allow line is needed, as DeviceInteropTests does.
        string output = await FailingAsync(f.Gateway, "nodes", "invoke", "--node", f.NodeId, "--command", "device.info", "--params", "{}");
        await Assert.That(output).Contains("allowlist");
    }
}
