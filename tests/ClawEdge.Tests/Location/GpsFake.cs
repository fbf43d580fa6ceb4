using System.Net.Sockets;
using ClawEdge.Tests.Interop;

namespace ClawEdge.Tests.Location;

/// <summary>A real gpsd (Debian gpsd 3.22) fed by gpsfake from an NMEA log, on a free port; disposing kills both.</summary>
public sealed class GpsFake : IAsyncDisposable
{
    private ChildProcess? _process;
    private readonly string _dir;

    private GpsFake(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public string Log => _process?.Output ?? "";

    public static async Task<GpsFake> StartAsync(NmeaTrack track)
    {
        string dir = Tools.TempDir("gpsfake");
        string log = Path.Combine(dir, "track.nmea");
        await File.WriteAllTextAsync(log, track.Text);
        var fake = new GpsFake(dir, Tools.FreePort());
        // -c 0.5: a sentence every 0.5 s, so one GGA+RMC fix a second, in real time; -n: gpsd keeps reading the
        // receiver without a client, as the README asks of a deployment (GPSD_OPTIONS="-n").
        fake._process = ChildProcess.Start("gpsfake", ["-q", "-n", "-c", "0.5", "-P", fake.Port.ToString(), log]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", fake.Port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !fake._process.HasExited)
            {
                await Task.Delay(200);
            }
        }
        return fake;
    }

    /// <summary>Kills gpsfake and its gpsd, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is null)
            return;
        await _process.DisposeAsync();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
