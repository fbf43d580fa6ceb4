using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace ClawEdge.Tests.Gpio;

/// <summary>
/// Runs shell steps inside the test VM while it runs, so the host can interleave them with gateway calls: the guest
/// loop (<see cref="GuestLoop"/>) connects through qemu's forwarded port, hands in the previous step's output and
/// takes the next command. One connection per step; nothing but this test listens on the port.
/// </summary>
public sealed class GuestShell : IAsyncDisposable
{
    public const int GuestPort = 7000;
    private const string End = "__END__";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<string> _commands = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _results = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public GuestShell()
    {
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The busybox sh loop the guest runs (after its own setup); ends on the command <c>exit</c>.</summary>
    public static string GuestLoop => $$"""
        out=hello
        while :; do
          cmd=$(printf '%s\n{{End}}\n' "$out" | nc 10.0.2.100 {{GuestPort}}) || { sleep 0.2; continue; }
          [ "$cmd" = exit ] && break
          out=$(eval "$cmd" 2>&1)
        done
        """;

    /// <summary>Waits for the guest's first call (its setup is done).</summary>
    public async Task ReadyAsync(TimeSpan timeout) => await NextResultAsync(timeout);

    /// <summary>Runs <paramref name="command"/> in the guest (busybox sh) and returns what it printed.</summary>
    public async Task<string> RunAsync(string command, TimeSpan? timeout = null)
    {
        await _commands.Writer.WriteAsync(command);
        return (await NextResultAsync(timeout ?? TimeSpan.FromSeconds(60))).Trim();
    }

    public Task ExitAsync() => _commands.Writer.WriteAsync("exit").AsTask();

    private async Task<string> NextResultAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _results.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the guest shell did not answer in {timeout.TotalSeconds} s");
        }
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            using (client)
            {
                var stream = client.GetStream();
                var text = new StringBuilder();
                var buffer = new byte[4096];
                while (!text.ToString().Contains(End + "\n", StringComparison.Ordinal))
                {
                    int n;
                    try { n = await stream.ReadAsync(buffer, _stop.Token); } catch (Exception) { break; }
                    if (n == 0)
                        break;
                    text.Append(Encoding.UTF8.GetString(buffer, 0, n));
                }
                string all = text.ToString();
                int end = all.IndexOf(End, StringComparison.Ordinal);
                if (end < 0)
                    continue; // a torn connection: the guest retries with the same output
                await _results.Writer.WriteAsync(all[..end]);
                string command;
                try { command = await _commands.Reader.ReadAsync(_stop.Token); } catch (Exception) { return; }
                await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\n"));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
        _stop.Dispose();
    }
}
