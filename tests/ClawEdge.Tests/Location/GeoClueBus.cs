using System.Net.Sockets;
using System.Text;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Location;

/// <summary>
/// The real GeoClue 2.6 daemon (Debian geoclue-2.0) on a private bus playing the system bus, with its real demo
/// agent authorizing clients, and an NMEA stream on a unix socket as its only source (geoclue's own
/// <c>--nmea-socket</c>). GeoClue reads its config from a fixed path, so it runs in a private mount namespace
/// where a test config is bind-mounted over <c>/etc/geoclue/geoclue.conf</c>: the machine's file is untouched.
/// </summary>
public sealed class GeoClueBus : IAsyncDisposable
{
    private readonly string _dir;
    private readonly List<ChildProcess> _processes = [];
    private readonly Socket _nmeaListener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _nmea;

    public string Address { get; }
    public NmeaTrack Track { get; }
    public string Log => string.Join("\n---\n", _processes.Select(p => p.Output));

    private GeoClueBus(string dir, NmeaTrack track)
    {
        _dir = dir;
        Track = track;
        Address = $"unix:path={dir}/bus";
        _nmeaListener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _nmeaListener.Bind(new UnixDomainSocketEndPoint(Path.Combine(dir, "nmea.sock")));
        _nmeaListener.Listen(4);
        _nmea = Task.Run(ServeNmeaAsync);
    }

    public static async Task<GeoClueBus> StartAsync(NmeaTrack track)
    {
        string dir = Tools.TempDir("geoclue");
        var bus = new GeoClueBus(dir, track);
        await File.WriteAllTextAsync(Path.Combine(dir, "bus.conf"), $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>unix:path={dir}/bus</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/> <allow own="*"/>
                <allow send_destination="*"/> <allow receive_sender="*"/>
              </policy>
            </busconfig>
            """);
        await File.WriteAllTextAsync(Path.Combine(dir, "geoclue.conf"), $"""
            [agent]
            whitelist=geoclue-demo-agent
            [network-nmea]
            enable=true
            nmea-socket={dir}/nmea.sock
            [3g]
            enable=false
            [cdma]
            enable=false
            [modem-gps]
            enable=false
            [wifi]
            enable=false
            [compass]
            enable=false
            [clawedge]
            allowed=true
            system=true
            users=
            """);
        var env = new Dictionary<string, string?> { ["DBUS_SYSTEM_BUS_ADDRESS"] = bus.Address, ["DBUS_SESSION_BUS_ADDRESS"] = null };
        bus._processes.Add(ChildProcess.Start("dbus-daemon", ["--config-file", Path.Combine(dir, "bus.conf"), "--nofork", "--print-address"], env));
        for (int i = 0; i < 100 && !File.Exists(Path.Combine(dir, "bus")); i++)
            await Task.Delay(50);
        bus._processes.Add(ChildProcess.Start("unshare", ["--mount", "sh", "-c",
            $"mount --bind '{dir}/geoclue.conf' /etc/geoclue/geoclue.conf && exec /usr/libexec/geoclue -t 0"],
            new Dictionary<string, string?>(env) { ["G_MESSAGES_DEBUG"] = "all" }));
        await bus._processes[^1].WaitForLineAsync("GClueNMEASource", TimeSpan.FromSeconds(20));
        bus._processes.Add(ChildProcess.Start("/usr/libexec/geoclue-2.0/demos/agent", [], env));
        await Task.Delay(1000); // the agent registers itself with AddAgent; nothing to wait for on its side
        return bus;
    }

    // geoclue connects as a client and reads NMEA sentences: one GGA+RMC pair a second, time-stamped now.
    private async Task ServeNmeaAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _nmeaListener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using var _ = client;
                var lines = Track.Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
                try
                {
                    for (int i = Math.Max(0, (int)(DateTime.UtcNow - Track.Start).TotalSeconds) * 2; i + 1 < lines.Length && !_stop.IsCancellationRequested; i += 2)
                    {
                        await client.SendAsync(Encoding.ASCII.GetBytes(lines[i] + "\r\n" + lines[i + 1] + "\r\n"), _stop.Token);
                        await Task.Delay(1000, _stop.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException)
                {
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _nmeaListener.Dispose();
        try { await _nmea; } catch (OperationCanceledException) { }
        for (int i = _processes.Count - 1; i >= 0; i--)
            await _processes[i].DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
