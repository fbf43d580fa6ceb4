using System.Buffers.Binary;
using System.Text;

namespace ClawEdge.Location.DBus;

/// <summary>
/// Marshals the few D-Bus types this client sends (byte, uint32, string, object path, signature, variant of a
/// string or uint32, header-field arrays) in little-endian order, aligned from the start of the message.
/// </summary>
public sealed class DBusWriter
{
    private byte[] _buffer = new byte[256];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Align(int boundary)
    {
        while (Length % boundary != 0)
            Byte(0);
    }

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[Length++] = value;
    }

    public void UInt32(uint value)
    {
        Align(4);
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(Length), value);
        Length += 4;
    }

    public void PatchUInt32(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(offset), value);

    public void String(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        UInt32((uint)count);
        Raw(value, count);
    }

    public void ObjectPath(string value) => String(value);

    public void Signature(string value)
    {
        Byte((byte)value.Length);
        Raw(value, value.Length);
    }

    /// <summary>A variant holding a string (<c>s</c>) or a uint32 (<c>u</c>): the two property types GeoClue's client takes.</summary>
    public void Variant(object value)
    {
        switch (value)
        {
            case string s:
                Signature("s");
                String(s);
                break;
            case uint u:
                Signature("u");
                UInt32(u);
                break;
            default:
                throw new ArgumentException($"variant of {value.GetType().Name} is not supported", nameof(value));
        }
    }

    private void Raw(string value, int count)
    {
        Ensure(count + 1);
        Length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
        _buffer[Length++] = 0;
    }

    private void Ensure(int more)
    {
        if (Length + more > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + more));
    }
}
