using System.Net.Sockets;
using System.Text;

namespace ClawEdge.Service;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram per message to <c>$NOTIFY_SOCKET</c> (a leading
/// <c>@</c> names an abstract socket). Null when not started by systemd with <c>Type=notify</c>.
/// Failures are ignored, as libsystemd does: the supervisor being gone must not stop the node.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _target;

    private SystemdNotifier(string path)
    {
        _target = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public static SystemdNotifier? FromEnvironment() =>
        Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 1 } path && path[0] is '/' or '@' ? new SystemdNotifier(path) : null;

    /// <summary>Half of <c>$WATCHDOG_USEC</c> (as sd_watchdog_enabled advises), when the watchdog is meant for this process.</summary>
    public static TimeSpan? WatchdogInterval()
    {
        if (!long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out long usec) || usec <= 0)
            return null;
        if (int.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_PID"), out int pid) && pid != Environment.ProcessId)
            return null;
        return TimeSpan.FromMicroseconds(usec / 2);
    }

    /// <summary>Sends <c>KEY=value</c> lines; a newline in a value (STATUS from a log text) would start a new key, so it is flattened.</summary>
    public void Notify(string message)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), SocketFlags.None, _target);
        }
        catch (SocketException)
        {
        }
    }

    public static string Status(string text) => "STATUS=" + text.ReplaceLineEndings(" ");

    /// <summary>
    /// READY=1 at the first hello-ok (so <c>systemctl start</c> means "connected"), STATUS= on every link
    /// change, and WATCHDOG=1 only while the link is healthy: a wedged link gets the node restarted.
    /// Runs until <paramref name="stop"/>.
    /// </summary>
    public async Task SuperviseAsync(Gateway.GatewayClient client, CancellationToken stop)
    {
        bool ready = false;
        client.StateChanged += (link, text) =>
        {
            string status = Status($"{link}: {text}");
            if (link == Gateway.LinkState.Connected && !ready)
            {
                ready = true;
                Notify("READY=1\n" + status);
            }
            else
            {
                Notify(status);
            }
        };
        if (WatchdogInterval() is not { } interval)
            return;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
                if (ready && client.IsHealthy())
                    Notify("WATCHDOG=1");
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose() => _socket.Dispose();
}
