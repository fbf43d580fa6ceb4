using System.Buffers.Binary;
using System.Text;

namespace ClawEdge.Location.DBus;

/// <summary>
/// Unmarshals any D-Bus value by its signature into plain managed values: integers and doubles, <see cref="string"/>
/// for s/o/g, <see cref="object"/>[] for a struct, <see cref="List{T}"/> for an array, a
/// <see cref="Dictionary{TKey,TValue}"/> keyed by string for <c>a{s…}</c>, and a variant's content unwrapped.
/// Offsets are from the start of the buffer, which must be aligned as the message body (8).
/// </summary>
public sealed class DBusReader(byte[] data, bool bigEndian, int position = 0)
{
    private const int MaxDepth = 32;

    public int Position { get; private set; } = position;

    public IReadOnlyList<object?> ReadAll(string signature)
    {
        var values = new List<object?>();
        int at = 0;
        while (at < signature.Length)
        {
            int end = CompleteTypeEnd(signature, at);
            values.Add(Read(signature[at..end], 0));
            at = end;
        }
        return values;
    }

    public object? Read(string type, int depth)
    {
        if (depth > MaxDepth)
            throw new FormatException("D-Bus value nested too deeply");
        switch (type[0])
        {
            case 'y': return Take(1)[0];
            case 'b': return UInt32() != 0;
            case 'n': Align(2); return BigEndian16(Take(2));
            case 'q': Align(2); return (ushort)BigEndian16(Take(2));
            case 'i': return (int)UInt32();
            case 'u': case 'h': return UInt32();
            case 'x': Align(8); return bigEndian ? BinaryPrimitives.ReadInt64BigEndian(Take(8)) : BinaryPrimitives.ReadInt64LittleEndian(Take(8));
            case 't': Align(8); return bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(Take(8)) : BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
            case 'd': Align(8); return bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(Take(8)) : BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
            case 's': case 'o': return Text((int)UInt32());
            case 'g': return Text(Take(1)[0]);
            case 'v':
                string inner = (string)Read("g", depth)!;
                if (inner.Length == 0 || CompleteTypeEnd(inner, 0) != inner.Length)
                    throw new FormatException($"bad variant signature '{inner}'");
                return Read(inner, depth + 1);
            case '(':
            {
                Align(8);
                var fields = new List<object?>();
                for (int at = 1; at < type.Length - 1;)
                {
                    int end = CompleteTypeEnd(type, at);
                    fields.Add(Read(type[at..end], depth + 1));
                    at = end;
                }
                return fields.ToArray();
            }
            case 'a':
                return ReadArray(type[1..], depth);
            default:
                throw new FormatException($"unsupported D-Bus type '{type}'");
        }
    }

    private object ReadArray(string element, int depth)
    {
        uint length = UInt32();
        Align(Alignment(element[0]));
        int end = checked(Position + (int)length);
        if (end > data.Length)
            throw new FormatException("D-Bus array runs past the message");
        if (element[0] == '{' && element[1] is 's' or 'o')
        {
            var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
            string valueType = element[2..^1];
            while (Position < end)
            {
                Align(8);
                string key = (string)Read("s", depth + 1)!;
                dictionary[key] = Read(valueType, depth + 1);
            }
            return dictionary;
        }
        var items = new List<object?>();
        while (Position < end)
            items.Add(element[0] == '{' ? ReadEntry(element, depth + 1) : Read(element, depth + 1));
        return items;
    }

    private object?[] ReadEntry(string entry, int depth)
    {
        Align(8);
        int keyEnd = CompleteTypeEnd(entry, 1);
        return [Read(entry[1..keyEnd], depth), Read(entry[keyEnd..^1], depth)];
    }

    /// <summary>The index just past the single complete type starting at <paramref name="at"/>.</summary>
    public static int CompleteTypeEnd(string signature, int at)
    {
        if (at >= signature.Length)
            throw new FormatException($"truncated signature '{signature}'");
        char c = signature[at];
        if (c == 'a')
            return CompleteTypeEnd(signature, at + 1);
        if (c is '(' or '{')
        {
            char close = c == '(' ? ')' : '}';
            int i = at + 1;
            while (i < signature.Length && signature[i] != close)
                i = CompleteTypeEnd(signature, i);
            if (i >= signature.Length)
                throw new FormatException($"unclosed '{c}' in signature '{signature}'");
            return i + 1;
        }
        return at + 1;
    }

    public static int Alignment(char type) => type switch
    {
        'y' or 'g' or 'v' => 1,
        'n' or 'q' => 2,
        'x' or 't' or 'd' or '(' or '{' => 8,
        _ => 4,
    };

    public void Align(int boundary)
    {
        int aligned = (Position + boundary - 1) / boundary * boundary;
        if (aligned > data.Length)
            throw new FormatException("D-Bus message truncated");
        Position = aligned;
    }

    public uint UInt32()
    {
        Align(4);
        var bytes = Take(4);
        return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    private short BigEndian16(ReadOnlySpan<byte> bytes) =>
        bigEndian ? BinaryPrimitives.ReadInt16BigEndian(bytes) : BinaryPrimitives.ReadInt16LittleEndian(bytes);

    private string Text(int length)
    {
        var bytes = Take(length + 1); // with its NUL
        return Encoding.UTF8.GetString(bytes[..^1]);
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || Position + count > data.Length)
            throw new FormatException("D-Bus message truncated");
        var span = data.AsSpan(Position, count);
        Position += count;
        return span;
    }
}
