namespace ClawEdge.Location.DBus;

/// <summary>One D-Bus message as received: the header fields this client uses and the undecoded body.</summary>
public sealed class DBusMessage
{
    public const byte MethodCall = 1, MethodReturn = 2, Error = 3, Signal = 4;

    public byte Type { get; init; }
    public uint Serial { get; init; }
    public uint? ReplySerial { get; init; }
    public string? Path { get; init; }
    public string? Interface { get; init; }
    public string? Member { get; init; }
    public string? ErrorName { get; init; }
    public string? Sender { get; init; }
    public string Signature { get; init; } = "";
    public bool BigEndian { get; init; }
    public byte[] Body { get; init; } = [];

    /// <summary>The body's values in signature order (see <see cref="DBusReader"/> for the managed types).</summary>
    public IReadOnlyList<object?> ReadBody() => new DBusReader(Body, BigEndian).ReadAll(Signature);
}
