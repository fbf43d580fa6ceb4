using System.Net.Sockets;
using System.Text.Json;

namespace ClawEdge.Location;

/// <summary>
/// One fix from gpsd over its JSON protocol: connect, <c>?WATCH={"enable":true,"json":true}</c>, <c>?POLL;</c> (the
/// latest fix gpsd holds, answered at once), then the streamed TPV reports until one is a fix. The connection lives
/// only for the call, so an idle node holds no socket and gpsd may close the receiver.
/// <para>gpsd builds a fix over a receiver's cycle (GGA, then RMC…) and clears it when the next cycle starts, so a poll
/// that lands between a cycle's sentences holds the position without the course and speed. Such a fix waits up to
/// <see cref="CycleWaitMs"/> for the cycle's own report (a streamed TPV comes at the cycle's end, merged), and is the
/// answer only if none comes: a receiver that never reports a course costs one cycle, not the call's timeout.</para>
/// </summary>
public sealed class GpsdClient(GpsdAddress address)
{
    private const int MaxLineBytes = 64 * 1024;

    private static readonly byte[] Watch = "?WATCH={\"enable\":true,\"json\":true};\n"u8.ToArray();
    private static readonly byte[] Poll = "?POLL;\n"u8.ToArray();

    /// <summary>How long a polled fix without course and speed waits for its cycle's report: a 1 Hz receiver's cycle, and some.</summary>
    public const int CycleWaitMs = 1_500;

    public GpsdAddress Address => address;

    /// <exception cref="SourceAbsentException">nothing listens at the address.</exception>
    /// <exception cref="GpsdLostException">gpsd closed or broke the connection.</exception>
    /// <exception cref="TimeoutException">no fix before <paramref name="cancellationToken"/> fired; the message says what gpsd did send.</exception>
    public async Task<LocationFix> GetFixAsync(CancellationToken cancellationToken)
    {
        using var socket = address.SocketPath is not null
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address.EndPoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new SourceAbsentException($"gpsd is not reachable at {address} ({e.SocketErrorCode}): install gpsd and gpsd-clients, give it the receiver "
                + "(/etc/default/gpsd: DEVICES=\"/dev/serial0\", GPSD_OPTIONS=\"-n\"; `cgps` shows its fixes), or set Location:Gpsd");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"gpsd at {address} did not accept the connection in time");
        }

        string? whyNot = null;
        bool sawTpv = false;
        LocationFix? midCycle = null;
        using var cycle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = new LineReader(socket);
        try
        {
            await socket.SendAsync(Watch, cancellationToken).ConfigureAwait(false);
            bool polled = false;
            while (true)
            {
                var line = await reader.ReadLineAsync(cycle.Token).ConfigureAwait(false);
                long ticks = Environment.TickCount64;
                using var document = Parse(line);
                if (document is null)
                    continue;
                var root = document.RootElement;
                string? kind = root.TryGetProperty("class", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                switch (kind)
                {
                    case "WATCH" when !polled:
                        // Asked only once the watch is on: before it, gpsd answers a POLL with "not watching".
                        polled = true;
                        await socket.SendAsync(Poll, cancellationToken).ConfigureAwait(false);
                        break;
                    case "POLL" when root.TryGetProperty("tpv", out var tpvs) && tpvs.ValueKind == JsonValueKind.Array:
                        foreach (var tpv in tpvs.EnumerateArray())
                        {
                            sawTpv = true;
                            if (GpsdTpv.Read(tpv, ticks, out whyNot) is not { } polledFix)
                                continue;
                            if (polledFix.SpeedMps is not null && polledFix.HeadingDeg is not null)
                                return polledFix;
                            midCycle ??= polledFix;
                            cycle.CancelAfter(CycleWaitMs);
                        }
                        break;
                    case "TPV":
                        sawTpv = true;
                        if (GpsdTpv.Read(root, ticks, out whyNot) is { } fix)
                            return fix;
                        break;
                    case "ERROR":
                        whyNot = "gpsd answered: " + (root.TryGetProperty("message", out var m) ? m.GetString() : root.GetRawText());
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (midCycle is not null && cycle.IsCancellationRequested)
        {
            return midCycle; // no report ended the cycle: the position gpsd has is the answer
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(whyNot ?? (sawTpv ? "gpsd sent no fix"
                : $"gpsd at {address} sent no position report: is a receiver attached (gpsd -n, DEVICES= in /etc/default/gpsd; `gpspipe -w` shows what it sees)?"));
        }
        catch (SocketException e)
        {
            throw new GpsdLostException($"gpsd at {address} broke the connection ({e.SocketErrorCode}): is it still running (systemctl status gpsd)?");
        }
    }

    private static JsonDocument? Parse(ReadOnlyMemory<byte> line)
    {
        try
        {
            return line.IsEmpty ? null : JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null; // not one of gpsd's JSON reports (a raw NMEA line when someone asked for nmea): skipped
        }
    }

    /// <summary>Newline-framed reads into one buffer; a line longer than <see cref="MaxLineBytes"/> is an error, not a growing allocation.</summary>
    private sealed class LineReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[MaxLineBytes];
        private int _start, _end;

        public async ValueTask<ReadOnlyMemory<byte>> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var line = _buffer.AsMemory(_start, newline - _start);
                    _start = newline + 1;
                    return line.Span.EndsWith("\r"u8) ? line[..^1] : line;
                }
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buffer.Length)
                    throw new GpsdLostException($"gpsd sent a line longer than {MaxLineBytes} bytes");
                int read = await socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    throw new GpsdLostException("gpsd closed the connection: is it still running (systemctl status gpsd)?");
                _end += read;
            }
        }
    }
}

/// <summary>gpsd went away in the middle of a call.</summary>
public sealed class GpsdLostException(string message) : Exception(message);
