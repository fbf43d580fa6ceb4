using System.Net;
using System.Net.Sockets;
using System.Text;
using ClawEdge.Config;
using ClawEdge.Location;
using ClawEdge.Host;

namespace ClawEdge.Tests.Location;

/// <summary>
/// Source choice, cache and error mapping, against an in-process peer that speaks gpsd's side of the protocol
/// line by line (the real gpsd is in <see cref="LocationInteropTests"/>).
/// </summary>
public class LocationResolverTests
{
    private const string Fix1 = """{"class":"TPV","mode":3,"time":"2026-12-01T20:13:44.000Z","lat":48.1,"lon":11.5,"eph":17.1,"speed":1.5,"track":90}""";
    private const string NoFix = """{"class":"TPV","mode":1,"time":"2026-12-01T20:13:44.000Z"}""";

    /// <summary>Accepts one client, answers ?WATCH and ?POLL with the given lines, then streams <paramref name="stream"/> once a second.</summary>
    private sealed class GpsdPeer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task _serve;
        private readonly CancellationTokenSource _stop = new();
        public readonly List<string> Received = [];

        public GpsdPeer(string pollTpv, string? stream, bool closeAfterPoll = false)
        {
            _listener.Start();
            _serve = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var s = client.GetStream();
                    var reader = new StreamReader(s);
                    async Task Send(string line) => await s.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), _stop.Token);
                    await Send("""{"class":"VERSION","release":"3.22","proto_major":3,"proto_minor":14}""");
                    try
                    {
                        string? watch = await reader.ReadLineAsync(_stop.Token);
                        lock (Received) Received.Add(watch ?? "");
                        await Send("""{"class":"DEVICES","devices":[]}""");
                        await Send("""{"class":"WATCH","enable":true,"json":true}""");
                        string? poll = await reader.ReadLineAsync(_stop.Token);
                        lock (Received) Received.Add(poll ?? "");
                        await Send($$"""{"class":"POLL","active":1,"tpv":[{{pollTpv}}],"sky":[]}""");
                        if (closeAfterPoll)
                            continue;
                        while (stream is not null)
                        {
                            await Task.Delay(200, _stop.Token);
                            await Send("$GPGGA,not-json");
                            await Send(stream);
                        }
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
                    {
                    }
                }
            });
        }

        public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            try { await _serve; } catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        }
    }

    private static LocationResolver Resolver(string source, string gpsd, FixedPositionOptions? fixedPosition = null, Func<long>? ticks = null) =>
        new(new LocationOptions { Enabled = true, Source = source, Gpsd = gpsd, Fixed = fixedPosition }, "unix:path=/nonexistent/ce-bus", ticks);

    private static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [Test]
    public async Task The_polled_fix_answers_at_once_after_the_watch()
    {
        await using var peer = new GpsdPeer(Fix1, null);
        var fix = await Resolver("gpsd", peer.Address).GetAsync(LocationRequest.Parse("{}"), 5000, CancellationToken.None);
        await Assert.That(fix.Lat).IsEqualTo(48.1);
        await Assert.That(fix.Source).IsEqualTo("gps");
        await Assert.That(peer.Received[0]).IsEqualTo("""?WATCH={"enable":true,"json":true};""");
        await Assert.That(peer.Received[1]).IsEqualTo("?POLL;");
    }

    // gpsd between a cycle's GGA and RMC: the position without course and speed.
    private const string MidCycle = """{"class":"TPV","mode":3,"time":"2026-12-01T20:13:43.000Z","lat":48.09,"lon":11.49,"eph":17.1}""";

    [Test]
    public async Task A_poll_caught_between_a_cycles_sentences_takes_the_cycles_own_report()
    {
        await using var peer = new GpsdPeer(MidCycle, Fix1);
        var fix = await Resolver("gpsd", peer.Address).GetAsync(LocationRequest.Parse("{}"), 5000, CancellationToken.None);
        await Assert.That((fix.Lat, fix.SpeedMps, fix.HeadingDeg)).IsEqualTo((48.1, (double?)1.5, (double?)90.0));
    }

    [Test]
    public async Task A_receiver_that_never_reports_a_course_is_answered_with_the_polled_position()
    {
        // No report follows: the polled position is the answer, not LOCATION_TIMEOUT.
        await using var peer = new GpsdPeer(MidCycle, null);
        var fix = await Resolver("gpsd", peer.Address).GetAsync(LocationRequest.Parse("{}"), 5000, CancellationToken.None);
        await Assert.That((fix.Lat, fix.SpeedMps, fix.HeadingDeg)).IsEqualTo((48.09, (double?)null, (double?)null));
    }

    [Test]
    public async Task Without_a_polled_fix_the_stream_is_read_past_noise()
    {
        await using var peer = new GpsdPeer(NoFix, Fix1);
        var fix = await Resolver("auto", peer.Address).GetAsync(LocationRequest.Parse("{}"), 5000, CancellationToken.None);
        await Assert.That(fix.SpeedMps).IsEqualTo(1.5);
    }

    [Test]
    public async Task No_fix_in_time_is_LOCATION_TIMEOUT_saying_why()
    {
        await using var peer = new GpsdPeer(NoFix, NoFix);
        var e = await Assert.That(async () => { await Resolver("gpsd", peer.Address).GetAsync(LocationRequest.Parse("{}"), 1200, CancellationToken.None); }).Throws<CommandException>();
        await Assert.That(e!.Code).IsEqualTo(ErrorCodes.LocationTimeout);
        await Assert.That(e.Message).Contains("no fix yet");
    }

    [Test]
    public async Task Gpsd_closing_the_connection_is_LOCATION_UNAVAILABLE()
    {
        await using var peer = new GpsdPeer(NoFix, null, closeAfterPoll: true);
        var e = await Assert.That(async () => { await Resolver("gpsd", peer.Address).GetAsync(LocationRequest.Parse("{}"), 5000, CancellationToken.None); }).Throws<CommandException>();
        await Assert.That(e!.Code).IsEqualTo(ErrorCodes.LocationUnavailable);
        await Assert.That(e.Message).Contains("closed the connection");
    }

    [Test]
    public async Task Nothing_there_is_LOCATION_UNAVAILABLE_naming_what_to_install()
    {
        var e = await Assert.That(async () => { await Resolver("auto", $"127.0.0.1:{ClosedPort()}").GetAsync(LocationRequest.Parse("{}"), 3000, CancellationToken.None); }).Throws<CommandException>();
        await Assert.That(e!.Code).IsEqualTo(ErrorCodes.LocationUnavailable);
        await Assert.That(e.Message).Contains("install gpsd");
        await Assert.That(e.Message).Contains("geoclue-2.0");
        await Assert.That(e.Message).Contains("Location:Fixed");
    }

    [Test]
    public async Task Auto_falls_back_to_the_fixed_position_only_when_no_source_is_there()
    {
        var position = new FixedPositionOptions { Lat = 47.3769, Lon = 8.5417, AccuracyMeters = 30, AltitudeMeters = 408 };
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var fix = await Resolver("auto", $"127.0.0.1:{ClosedPort()}", position).GetAsync(LocationRequest.Parse("{}"), 3000, CancellationToken.None);
        await Assert.That(fix.Source).IsEqualTo("fixed");
        await Assert.That((fix.Lat, fix.Lon, fix.AccuracyMeters, fix.AltitudeMeters)).IsEqualTo((47.3769, 8.5417, 30.0, (double?)408));
        await Assert.That(fix.Timestamp).IsGreaterThan(before);

        await using var peer = new GpsdPeer(Fix1, null);
        var gps = await Resolver("auto", peer.Address, position).GetAsync(LocationRequest.Parse("{}"), 3000, CancellationToken.None);
        await Assert.That(gps.Source).IsEqualTo("gps");
    }

    [Test]
    public async Task A_fix_younger_than_maxAgeMs_is_served_from_the_cache()
    {
        long now = 1_000_000;
        await using var peer = new GpsdPeer(Fix1, null);
        var resolver = Resolver("gpsd", peer.Address, ticks: () => now);
        var first = await resolver.GetAsync(LocationRequest.Parse("{}"), 3000, CancellationToken.None);
        await peer.DisposeAsync(); // gpsd gone: only the cache can answer now
        now += 4_000;
        var cached = await resolver.GetAsync(LocationRequest.Parse("""{"maxAgeMs":5000}"""), 3000, CancellationToken.None);
        await Assert.That(cached).IsEqualTo(first);
        now += 2_000;
        var e = await Assert.That(async () => { await resolver.GetAsync(LocationRequest.Parse("""{"maxAgeMs":5000}"""), 3000, CancellationToken.None); }).Throws<CommandException>();
        await Assert.That(e!.Code).IsEqualTo(ErrorCodes.LocationUnavailable);
        await Assert.That(async () => { await resolver.GetAsync(LocationRequest.Parse("{}"), 3000, CancellationToken.None); }).Throws<CommandException>();
    }

    [Test]
    [Arguments("fixed", null, null, null, "Location:Fixed")]
    [Arguments("auto", 95.0, 1.0, 5.0, "Lat")]
    [Arguments("auto", 45.0, 181.0, 5.0, "Lon")]
    [Arguments("auto", 45.0, 8.0, null, "AccuracyMeters")]
    [Arguments("satellite", null, null, null, "Location:Source")]
    public async Task Bad_location_config_is_refused_at_start(string source, double? lat, double? lon, double? accuracy, string named)
    {
        var position = lat is null ? null : new FixedPositionOptions { Lat = lat, Lon = lon, AccuracyMeters = accuracy };
        var e = await Assert.That(() => Resolver(source, "127.0.0.1:2947", position)).Throws<ConfigException>();
        await Assert.That(e!.Message).Contains(named);
    }
}
