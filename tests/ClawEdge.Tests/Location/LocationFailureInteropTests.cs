using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Location;

/// <summary>A receiver without a fix, gpsd dying, a fixed position and GeoClue, each through the real gateway and CLI.</summary>
[ClassDataSource<SharedGateway>(Shared = SharedType.PerTestSession)]
public class LocationFailureInteropTests(SharedGateway shared)
{
    [Test]
    public async Task No_fix_times_out_in_time_and_gpsd_dying_is_unavailable_while_the_node_stays()
    {
        await using var gps = await GpsFake.StartAsync(NmeaTrack.NoFix());
        // Debug level: the kill below waits for the node's "invoke … started" line.
        await using var node = EdgeNode.Start(shared.Gateway, environment: GpsdNodeFixture.LocationEnvironment("gpsd", gps.Address), extraArgs: ["--log-level", "debug"]);
        string id = await node.ConnectAndApproveAsync(shared.Gateway);

        int from = node.Process.LineCount;
        string output = await LocationInteropTests.FailingAsync(shared.Gateway, "nodes", "location", "get", "--node", id, "--location-timeout", "2000");
        await Assert.That(output).Contains("LOCATION_TIMEOUT");
        await Assert.That(output).Contains("no fix yet");
        int ms = LocationInteropTests.InvokeMs(node, "LOCATION_TIMEOUT", from);
        await Assert.That(ms).IsBetween(2000, 3000);

        // timeoutMs 0 is clamped to the 1 s floor, not refused and not "no time at all".
        from = node.Process.LineCount;
        output = await LocationInteropTests.FailingAsync(shared.Gateway, "nodes", "invoke", "--node", id, "--command", "location.get", "--params", """{"timeoutMs":0}""");
        await Assert.That(output).Contains("LOCATION_TIMEOUT");
        await Assert.That(LocationInteropTests.InvokeMs(node, "LOCATION_TIMEOUT", from)).IsBetween(1000, 2000);

        // gpsd killed while a call waits: the call ends at once with LOCATION_UNAVAILABLE, not at its timeout.
        from = node.Process.LineCount;
        var waiting = LocationInteropTests.FailingAsync(shared.Gateway, "nodes", "location", "get", "--node", id, "--location-timeout", "15000", "--invoke-timeout", "30000");
        // Killed only once the call is on the node (the CLI takes 2–10 s to start on a loaded box) and waiting on gpsd.
        await node.Process.WaitForLineAsync("invoke location.get (", TimeSpan.FromSeconds(25), from);
        await Task.Delay(1000);
        await gps.KillAsync();
        output = await waiting;
        await Assert.That(output).Contains("LOCATION_UNAVAILABLE");
        await Assert.That(LocationInteropTests.InvokeMs(node, "LOCATION_UNAVAILABLE", from)).IsLessThan(12000);

        // And with gpsd gone, the next call says what to install, promptly; the node is still connected.
        output = await LocationInteropTests.FailingAsync(shared.Gateway, "nodes", "location", "get", "--node", id);
        await Assert.That(output).Contains("LOCATION_UNAVAILABLE");
        await Assert.That(output).Contains("install gpsd");
        var status = await shared.Gateway.NodeStatusAsync(id);
        await Assert.That((bool?)status!["connected"]).IsTrue();
        await Assert.That(node.Process.HasExited).IsFalse();
    }

    [Test]
    public async Task A_fixed_position_comes_through_the_CLI()
    {
        var environment = GpsdNodeFixture.LocationEnvironment("fixed", "127.0.0.1:2947");
        environment["CLAWEDGE_Location__Fixed__Lat"] = "47.376887";
        environment["CLAWEDGE_Location__Fixed__Lon"] = "8.541694";
        environment["CLAWEDGE_Location__Fixed__AccuracyMeters"] = "25";
        environment["CLAWEDGE_Location__Fixed__AltitudeMeters"] = "408";
        await using var node = EdgeNode.Start(shared.Gateway, environment: environment);
        string id = await node.ConnectAndApproveAsync(shared.Gateway);
        var before = DateTime.UtcNow.AddSeconds(-1);
        var fix = await LocationInteropTests.LocationAsync(shared.Gateway, id);
        await Assert.That((double)fix["lat"]!).IsEqualTo(47.376887);
        await Assert.That((double)fix["lon"]!).IsEqualTo(8.541694);
        await Assert.That((double)fix["accuracyMeters"]!).IsEqualTo(25.0);
        await Assert.That((double)fix["altitudeMeters"]!).IsEqualTo(408.0);
        await Assert.That((string?)fix["source"]).IsEqualTo("fixed");
        await Assert.That((bool)fix["isPrecise"]!).IsTrue();
        await Assert.That(DateTime.Parse((string)fix["timestamp"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)).IsGreaterThan(before);
        var coarse = await LocationInteropTests.LocationAsync(shared.Gateway, id, "--accuracy", "coarse");
        await Assert.That(((double)coarse["lat"]!, (double)coarse["lon"]!)).IsEqualTo((47.38, 8.54));
    }

    [Test]
    public async Task GeoClue_answers_over_the_nodes_own_dbus_client()
    {
        var track = NmeaTrack.Moving(52.520008, 13.404954);
        await using var geoclue = await GeoClueBus.StartAsync(track);
        var environment = GpsdNodeFixture.LocationEnvironment("auto", "127.0.0.1:1"); // gpsd absent: auto moves on to GeoClue
        environment["DBUS_SYSTEM_BUS_ADDRESS"] = geoclue.Address;
        await using var node = EdgeNode.Start(shared.Gateway, environment: environment);
        string id = await node.ConnectAndApproveAsync(shared.Gateway);
        var started = Stopwatch.StartNew();
        var fix = await LocationInteropTests.LocationAsync(shared.Gateway, id, "--accuracy", "precise", "--location-timeout", "20000", "--invoke-timeout", "30000");
        await Assert.That((string?)fix["source"]).IsEqualTo("geoclue").Because(geoclue.Log);
        double lat = (double)fix["lat"]!, lon = (double)fix["lon"]!;
        bool onTrack = Enumerable.Range(0, (int)(DateTime.UtcNow - track.Start).TotalSeconds + 2)
            .Select(track.Position).Any(p => Math.Abs(p.Lat - lat) < 1e-5 && Math.Abs(p.Lon - lon) < 1e-5);
        await Assert.That(onTrack).IsTrue().Because($"{lat},{lon} is on the NMEA track GeoClue was fed");
        await Assert.That(started.Elapsed).IsLessThan(TimeSpan.FromSeconds(30));
        // GeoClue's own timestamp of the fix: now-ish, never the epoch.
        var timestamp = DateTime.Parse((string)fix["timestamp"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        await Assert.That((DateTime.UtcNow - timestamp).Duration()).IsLessThan(TimeSpan.FromMinutes(2));
    }
}
