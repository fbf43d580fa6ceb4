using System.Buffers.Binary;

namespace ClawEdge.Capture.Screen;

/// <summary>
/// The Wayland wire format: each message is the object id (u32), then a u32 holding the total size in bytes
/// (high 16 bits, header included) and the opcode (low 16 bits), then the arguments, each a multiple of 4 bytes:
/// int/uint/object/new_id as one word; a string as its length including the NUL, the bytes, the NUL, zero padding.
/// File descriptors travel beside the bytes (SCM_RIGHTS). Words are in host order; every target we ship is little-endian.
/// </summary>
internal ref struct WaylandMessage
{
    public const int HeaderSize = 8;
    private readonly Span<byte> _buffer;
    private int _length;

    public WaylandMessage(Span<byte> buffer, uint objectId, ushort opcode)
    {
        _buffer = buffer;
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, objectId);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], opcode);
        _length = HeaderSize;
    }

    public void Uint(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[_length..], value);
        _length += 4;
    }

    public void Int(int value) => Uint((uint)value);

    /// <summary>A non-null string from its UTF-8 bytes (no NUL).</summary>
    public void String(ReadOnlySpan<byte> utf8)
    {
        Uint((uint)utf8.Length + 1);
        int padded = (utf8.Length + 1 + 3) & ~3;
        utf8.CopyTo(_buffer[_length..]);
        _buffer.Slice(_length + utf8.Length, padded - utf8.Length).Clear();
        _length += padded;
    }

    /// <summary>Writes the size into the header and returns the whole message.</summary>
    public ReadOnlySpan<byte> Finish()
    {
        uint word = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[4..], ((uint)_length << 16) | (word & 0xFFFF));
        return _buffer[.._length];
    }
}

/// <summary>Reads the arguments of one received event, in order.</summary>
internal ref struct WaylandArgs(ReadOnlySpan<byte> args)
{
    private readonly ReadOnlySpan<byte> _args = args;
    private int _offset;

    public uint Uint()
    {
        if (_offset + 4 > _args.Length)
            throw new ScreenException(ScreenError.Lost, "Wayland event shorter than its arguments");
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(_args[_offset..]);
        _offset += 4;
        return value;
    }

    public int Int() => (int)Uint();

    /// <summary>A string's bytes without the NUL (empty for a null string).</summary>
    public ReadOnlySpan<byte> String()
    {
        int length = (int)Uint();
        int padded = (length + 3) & ~3;
        if (length < 0 || _offset + padded > _args.Length)
            throw new ScreenException(ScreenError.Lost, "Wayland string runs past its event");
        var bytes = length == 0 ? [] : _args.Slice(_offset, length - 1);
        _offset += padded;
        return bytes;
    }

    /// <summary>Splits a header word pair into object, opcode and total size.</summary>
    public static (uint ObjectId, ushort Opcode, int Size) Header(ReadOnlySpan<byte> header)
    {
        uint word = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        return (BinaryPrimitives.ReadUInt32LittleEndian(header), (ushort)(word & 0xFFFF), (int)(word >> 16));
    }
}
