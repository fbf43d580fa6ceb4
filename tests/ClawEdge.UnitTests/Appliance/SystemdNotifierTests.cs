using System.Net.Sockets;
using System.Text;
using ClawEdge.Service;

namespace ClawEdge.Tests.Appliance;

/// <summary>The notify socket forms systemd uses: a path, and an abstract name written with a leading '@'.</summary>
[NotInParallel] // sets NOTIFY_SOCKET / WATCHDOG_* in this process, which child processes of other tests would inherit
public class SystemdNotifierTests
{
    [Test]
    public async Task Abstract_and_path_sockets_receive_the_datagrams()
    {
        string name = $"ce-notify-{Guid.NewGuid():N}";
        string path = Path.Combine(Fixtures.TempDir("sd"), "notify");
        foreach (var (bind, variable) in new[] { ("\0" + name, "@" + name), (path, path) })
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(bind));
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", variable);
            try
            {
                using var notifier = SystemdNotifier.FromEnvironment();
                await Assert.That(notifier).IsNotNull();
                notifier!.Notify("READY=1\n" + SystemdNotifier.Status("line one\nline two"));
                var buffer = new byte[512];
                socket.ReceiveTimeout = 5000;
                int n = socket.Receive(buffer);
                await Assert.That(Encoding.UTF8.GetString(buffer, 0, n)).IsEqualTo("READY=1\nSTATUS=line one line two");
            }
            finally
            {
                Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            }
        }
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Test]
    public async Task Watchdog_interval_is_half_of_WATCHDOG_USEC_and_only_for_this_pid()
    {
        try
        {
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", "120000000");
            Environment.SetEnvironmentVariable("WATCHDOG_PID", Environment.ProcessId.ToString());
            await Assert.That(SystemdNotifier.WatchdogInterval()).IsEqualTo(TimeSpan.FromSeconds(60));
            Environment.SetEnvironmentVariable("WATCHDOG_PID", "1");
            await Assert.That(SystemdNotifier.WatchdogInterval()).IsNull();
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
            Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
            await Assert.That(SystemdNotifier.WatchdogInterval()).IsNull();
            await Assert.That(SystemdNotifier.FromEnvironment()).IsNull();
        }
        finally
        {
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
            Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
        }
    }
}
