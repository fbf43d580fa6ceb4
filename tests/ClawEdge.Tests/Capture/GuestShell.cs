using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace ClawEdge.Tests.Capture;

/// <summary>
/// Runs shell steps inside the test VM while it runs, so the host can interleave them with gateway calls: the guest
/// loop (<see cref="GuestLoop"/>) connects through qemu's forwarded port, hands in the previous step's output and
/// takes the next command. One connection per step; nothing but this test listens on the port.
/// Every command and every output carries a step number: qemu's guestfwd relay can tear a connection after the
/// output went in and before the command came back, and the guest then hands the same output in again. Without the
/// numbers that repeat was taken for the next step's output and every later answer was one step behind.
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
    private int _step;            // the step whose output is awaited (0: the guest's first call)
    private string? _stepCommand; // what was sent as that step, for a guest that did not receive it

    public GuestShell()
    {
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The busybox sh loop the guest runs (after its own setup); ends on the command <c>exit</c>.</summary>
    public static string GuestLoop => $$"""
        step=0; out=hello
        while :; do
          resp=$(printf '%s\n%s\n{{End}}\n' "$step" "$out" | nc 10.0.2.100 {{GuestPort}}) || { sleep 0.2; continue; }
          next=${resp%%[!0-9]*}
          [ -n "$next" ] && [ "$next" -gt "$step" ] || { sleep 0.2; continue; }
          cmd=${resp#"$next"}; cmd=${cmd#?}; step=$next
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
                int newline = all.IndexOf('\n');
                if (end < 0 || newline < 0 || newline > end || !int.TryParse(all[..newline], out int step))
                    continue; // a torn connection: the guest retries with the same output
                if (step != _step)
                {
                    // The guest missed step _step's command: the same output again. Send that command again.
                    if (step == _step - 1 && _stepCommand is not null)
                        await TrySendAsync(stream, _step, _stepCommand);
                    continue;
                }
                await _results.Writer.WriteAsync(all[(newline + 1)..end]);
                string command;
                try { command = await _commands.Reader.ReadAsync(_stop.Token); } catch (Exception) { return; }
                _step++;
                _stepCommand = command;
                await TrySendAsync(stream, _step, command);
            }
        }
    }

    private static async Task TrySendAsync(NetworkStream stream, int step, string command)
    {
        try { await stream.WriteAsync(Encoding.UTF8.GetBytes($"{step}\n{command}\n")); }
        catch (IOException) { } // torn: the guest asks again with its last step
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
        _stop.Dispose();
    }
}
