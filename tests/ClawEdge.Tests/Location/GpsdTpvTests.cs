using System.Text.Json;
using ClawEdge.Location;

namespace ClawEdge.Tests.Location;

/// <summary>gpsd TPV reports (as gpsd 3.22 prints them) to fixes, and the reasons a report is not one.</summary>
public class GpsdTpvTests
{
    private static LocationFix? Read(string json, out string? whyNot)
    {
        using var document = JsonDocument.Parse(json);
        return GpsdTpv.Read(document.RootElement, 42, out whyNot);
    }

    [Test]
    public async Task A_3d_fix_gives_position_accuracy_altitude_speed_heading_and_its_own_time()
    {
        var fix = Read("""{"class":"TPV","device":"/dev/pts/3","mode":3,"time":"2026-12-01T20:13:44.000Z","ept":0.005,"lat":48.117366667,"lon":11.516666667,"altHAE":592.3,"altMSL":545.4,"alt":545.4,"track":84.4,"magtrack":81.3,"speed":6.328,"climb":0.0,"eph":17.1}""", out var why);
        await Assert.That(why).IsNull();
        await Assert.That(fix!.Lat).IsEqualTo(48.117366667);
        await Assert.That(fix.Lon).IsEqualTo(11.516666667);
        await Assert.That(fix.AccuracyMeters).IsEqualTo(17.1);
        await Assert.That(fix.AltitudeMeters).IsEqualTo(545.4);
        await Assert.That(fix.SpeedMps).IsEqualTo(6.328);
        await Assert.That(fix.HeadingDeg).IsEqualTo(84.4);
        await Assert.That(fix.Timestamp).IsEqualTo(new DateTimeOffset(2026, 12, 1, 20, 13, 44, TimeSpan.Zero));
        await Assert.That(fix.Source).IsEqualTo("gps");
        await Assert.That(fix.ReceivedTicks).IsEqualTo(42L);
    }

    [Test]
    public async Task Epx_epy_stand_in_for_a_missing_eph_and_a_2d_fix_has_no_altitude()
    {
        var fix = Read("""{"class":"TPV","mode":2,"time":"2026-12-01T20:13:44.000Z","lat":1.5,"lon":2.5,"epx":4.0,"epy":9.5,"alt":12}""", out _);
        await Assert.That(fix!.AccuracyMeters).IsEqualTo(9.5);
        await Assert.That(fix.AltitudeMeters).IsNull();
        await Assert.That(fix.SpeedMps).IsNull();
    }

    [Test]
    [Arguments("""{"class":"TPV","mode":1,"time":"2026-12-01T20:13:44.000Z"}""", "no fix")]
    [Arguments("""{"class":"TPV","mode":0}""", "no fix")]
    [Arguments("""{"class":"TPV","mode":3,"time":"2026-12-01T20:13:44.000Z","lon":2.5,"eph":3}""", "no fix")]
    [Arguments("""{"class":"TPV","mode":3,"lat":48.1,"lon":11.5,"eph":17.1}""", "without a time")]
    [Arguments("""{"class":"TPV","mode":3,"time":"2026-12-01T20:13:44.000Z","lat":48.1,"lon":11.5}""", "error estimate")]
    [Arguments("""{"class":"TPV","mode":3,"time":"2026-12-01T20:13:44.000Z","lat":91,"lon":11.5,"eph":1}""", "impossible")]
    public async Task Reports_that_are_not_fixes_say_why(string json, string reason)
    {
        await Assert.That(Read(json, out var why)).IsNull();
        await Assert.That(why!).Contains(reason);
    }

    [Test]
    [Arguments("127.0.0.1:2947", "127.0.0.1", 2947, null)]
    [Arguments("gps.local", "gps.local", 2947, null)]
    [Arguments("[::1]:3000", "::1", 3000, null)]
    [Arguments("[::1]", "::1", 2947, null)]
    [Arguments("/run/gpsd-json.sock", null, 0, "/run/gpsd-json.sock")]
    public async Task Addresses_parse(string text, string? host, int port, string? path)
    {
        var a = GpsdAddress.Parse(text);
        await Assert.That(a).IsEqualTo(new GpsdAddress(host, port, path));
    }

    [Test]
    [Arguments("")]
    [Arguments("host:0")]
    [Arguments("host:70000")]
    [Arguments("host:abc")]
    [Arguments("[::1")]
    public async Task Bad_addresses_are_refused(string text)
    {
        await Assert.That(() => GpsdAddress.Parse(text)).Throws<FormatException>();
    }
}
