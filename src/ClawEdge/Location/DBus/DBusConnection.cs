using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ClawEdge.Location.DBus;

/// <summary>
/// A minimal D-Bus client over a unix socket, only what GeoClue needs: EXTERNAL authentication, method calls,
/// replies and errors, and signals. One caller at a time reads the socket: a call reads until its reply and keeps
/// the signals it passes for <see cref="WaitForSignalAsync"/>. No unix fds, no server side, no introspection.
/// </summary>
public sealed class DBusConnection : IAsyncDisposable
{
    private const int MaxMessageBytes = 1 << 20;
    private readonly Socket _socket;
    private readonly Queue<DBusMessage> _signals = new();
    private uint _serial;

    private DBusConnection(Socket socket) => _socket = socket;

    /// <summary>The system bus: <c>$DBUS_SYSTEM_BUS_ADDRESS</c>, else <c>/run/dbus/system_bus_socket</c>.</summary>
    public static string SystemBusAddress =>
        Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } address ? address : "unix:path=/run/dbus/system_bus_socket";

    /// <exception cref="SocketException">nothing listens at the address.</exception>
    /// <exception cref="DBusException">the bus refused authentication.</exception>
    public static async Task<DBusConnection> ConnectAsync(string address, uint uid, CancellationToken cancellationToken)
    {
        var endPoint = UnixEndPoint(address) ?? throw new FormatException($"no unix: address in '{address}'");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var connection = new DBusConnection(socket);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            await connection.AuthenticateAsync(uid, cancellationToken).ConfigureAwait(false);
            await connection.CallAsync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", cancellationToken: cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The first <c>unix:path=</c> or <c>unix:abstract=</c> of a bus address list, values unescaped.</summary>
    public static UnixDomainSocketEndPoint? UnixEndPoint(string address)
    {
        foreach (var entry in address.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!entry.StartsWith("unix:", StringComparison.Ordinal))
                continue;
            foreach (var pair in entry[5..].Split(','))
            {
                int eq = pair.IndexOf('=');
                if (eq < 0)
                    continue;
                string key = pair[..eq], value = Unescape(pair[(eq + 1)..]);
                if (key == "path")
                    return new UnixDomainSocketEndPoint(value);
                if (key == "abstract")
                    return new UnixDomainSocketEndPoint("\0" + value);
            }
        }
        return null;
    }

    private static string Unescape(string value)
    {
        if (!value.Contains('%'))
            return value;
        var bytes = new List<byte>();
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length && byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    // The SASL exchange of the D-Bus spec: a NUL byte, AUTH EXTERNAL with the uid in hex-encoded ASCII, OK, BEGIN.
    private async Task AuthenticateAsync(uint uid, CancellationToken cancellationToken)
    {
        string hexUid = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(uid.ToString(CultureInfo.InvariantCulture)));
        await _socket.SendAsync(Encoding.ASCII.GetBytes($"\0AUTH EXTERNAL {hexUid}\r\n"), cancellationToken).ConfigureAwait(false);
        var line = new List<byte>();
        var one = new byte[1];
        while (line.Count < 512 && (line.Count < 2 || line[^2] != '\r' || line[^1] != '\n'))
        {
            if (await _socket.ReceiveAsync(one, cancellationToken).ConfigureAwait(false) == 0)
                throw new DBusException("org.freedesktop.DBus.Error.AuthFailed", "the bus closed the connection during authentication");
            line.Add(one[0]);
        }
        string answer = Encoding.ASCII.GetString(line.ToArray()).TrimEnd();
        if (!answer.StartsWith("OK ", StringComparison.Ordinal))
            throw new DBusException("org.freedesktop.DBus.Error.AuthFailed", $"the bus refused EXTERNAL authentication for uid {uid}: {answer}");
        await _socket.SendAsync("BEGIN\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Calls a method and returns its reply; a D-Bus error reply is thrown as <see cref="DBusException"/>.</summary>
    /// <param name="signature">The body's signature; <paramref name="writeBody"/> marshals exactly those values.</param>
    public async Task<DBusMessage> CallAsync(string destination, string path, string @interface, string member,
        string signature = "", Action<DBusWriter>? writeBody = null, CancellationToken cancellationToken = default)
    {
        uint serial = ++_serial;
        var message = Compose(serial, destination, path, @interface, member, signature, writeBody);
        await _socket.SendAsync(message, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var received = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (received.Type == DBusMessage.Signal)
            {
                _signals.Enqueue(received);
                continue;
            }
            if (received.ReplySerial != serial)
                continue; // a method call to us, or a late reply: this client serves nothing
            if (received.Type == DBusMessage.Error)
            {
                var body = received.Signature.StartsWith('s') ? received.ReadBody() : [];
                throw new DBusException(received.ErrorName ?? "unknown", body.Count > 0 ? (string?)body[0] ?? "" : "");
            }
            return received;
        }
    }

    /// <summary>The next signal that matches (signals passed while waiting for replies count too).</summary>
    public async Task<DBusMessage> WaitForSignalAsync(Func<DBusMessage, bool> match, CancellationToken cancellationToken)
    {
        while (_signals.TryDequeue(out var queued))
            if (match(queued))
                return queued;
        while (true)
        {
            var received = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (received.Type == DBusMessage.Signal && match(received))
                return received;
        }
    }

    private static byte[] Compose(uint serial, string destination, string path, string @interface, string member, string signature, Action<DBusWriter>? writeBody)
    {
        var w = new DBusWriter();
        w.Byte((byte)'l');
        w.Byte(DBusMessage.MethodCall);
        w.Byte(0);
        w.Byte(1);
        w.UInt32(0); // body length, patched below
        w.UInt32(serial);
        w.UInt32(0); // header field array length, patched below
        int fieldsStart = w.Length;
        Field(w, 1, "o", () => w.ObjectPath(path));
        Field(w, 2, "s", () => w.String(@interface));
        Field(w, 3, "s", () => w.String(member));
        Field(w, 6, "s", () => w.String(destination));
        if (signature.Length > 0)
            Field(w, 8, "g", () => w.Signature(signature));
        w.PatchUInt32(12, (uint)(w.Length - fieldsStart));
        w.Align(8);
        int bodyStart = w.Length;
        writeBody?.Invoke(w);
        w.PatchUInt32(4, (uint)(w.Length - bodyStart));
        return w.Written.ToArray();

        static void Field(DBusWriter w, byte code, string type, Action value)
        {
            w.Align(8);
            w.Byte(code);
            w.Signature(type);
            value();
        }
    }

    private async Task<DBusMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        var fixedPart = new byte[16];
        await ReadExactlyAsync(fixedPart, cancellationToken).ConfigureAwait(false);
        bool big = fixedPart[0] switch
        {
            (byte)'l' => false,
            (byte)'B' => true,
            _ => throw new DBusException("org.freedesktop.DBus.Error.InvalidMessage", "bad endianness byte"),
        };
        uint bodyLength = big ? BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(4)) : BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(4));
        uint serial = big ? BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(8));
        uint fieldsLength = big ? BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(12)) : BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(12));
        if (bodyLength > MaxMessageBytes || fieldsLength > MaxMessageBytes)
            throw new DBusException("org.freedesktop.DBus.Error.LimitsExceeded", "message too large");
        int headerEnd = (int)((16 + fieldsLength + 7) / 8 * 8);
        var message = new byte[headerEnd + bodyLength];
        fixedPart.CopyTo(message, 0);
        await ReadExactlyAsync(message.AsMemory(16), cancellationToken).ConfigureAwait(false);

        string? path = null, iface = null, member = null, error = null, sender = null, signature = null;
        uint? replySerial = null;
        var reader = new DBusReader(message, big, 12);
        foreach (var field in (List<object?>)reader.Read("a(yv)", 0)!)
        {
            var pair = (object?[])field!;
            switch ((byte)pair[0]!)
            {
                case 1: path = pair[1] as string; break;
                case 2: iface = pair[1] as string; break;
                case 3: member = pair[1] as string; break;
                case 4: error = pair[1] as string; break;
                case 5: replySerial = pair[1] as uint?; break;
                case 7: sender = pair[1] as string; break;
                case 8: signature = pair[1] as string; break;
            }
        }
        return new DBusMessage
        {
            Type = fixedPart[1],
            Serial = serial,
            ReplySerial = replySerial,
            Path = path,
            Interface = iface,
            Member = member,
            ErrorName = error,
            Sender = sender,
            Signature = signature ?? "",
            BigEndian = big,
            Body = message[headerEnd..],
        };
    }

    private async Task ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            int read = await _socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new DBusException("org.freedesktop.DBus.Error.Disconnected", "the bus closed the connection");
            buffer = buffer[read..];
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A D-Bus error reply (or a broken bus), with the error's name.</summary>
public sealed class DBusException(string name, string message) : Exception($"{name}: {message}")
{
    public string Name { get; } = name;
    public string Detail { get; } = message;
}
