using System.Buffers.Binary;
using System.Text;

namespace ClawEdge.Capture.Mp4;

/// <summary>Big-endian ISO BMFF box writer over a caller-owned array; box sizes are patched when a box ends.</summary>
internal ref struct BoxWriter(byte[] buffer)
{
    private readonly Span<byte> _buffer = buffer;

    public int Position;

    public int Begin(string type)
    {
        int at = Position;
        U32(0);
        FourCc(type);
        return at;
    }

    public int BeginFull(string type, byte version, uint flags)
    {
        int at = Begin(type);
        U32(((uint)version << 24) | (flags & 0xFFFFFF));
        return at;
    }

    public void End(int at) => BinaryPrimitives.WriteUInt32BigEndian(_buffer[at..], (uint)(Position - at));

    public void PatchU32(int at, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_buffer[at..], value);

    public void U8(byte value) => _buffer[Position++] = value;

    public void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
        Position += 2;
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        Position += 4;
    }

    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer[Position..], value);
        Position += 8;
    }

    public void FourCc(string code) => Position += Encoding.ASCII.GetBytes(code, _buffer[Position..]);

    public void Bytes(ReadOnlySpan<byte> data)
    {
        data.CopyTo(_buffer[Position..]);
        Position += data.Length;
    }

    public void Zero(int count)
    {
        _buffer.Slice(Position, count).Clear();
        Position += count;
    }
}
