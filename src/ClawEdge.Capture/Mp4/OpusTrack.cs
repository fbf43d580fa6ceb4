using System.Buffers;
using ClawEdge.Platform;

namespace ClawEdge.Capture.Mp4;

/// <summary>
/// The Opus packets of one recording, each <see cref="FrameSamples"/> samples long and back to back (a gap the
/// device lost is filled with encoded silence, so packet n always starts n × 20 ms after the first). Storage is rented
/// once, sized for the whole clip: a packet costs no allocation. One writer (the capture thread) until it hands the
/// track to <see cref="Mp4Writer.AddOpusTrack"/>, which then owns it.
/// </summary>
public sealed class OpusTrack : IDisposable
{
    public const int SampleRate = 48_000;
    public const int FrameSamples = 960;

    private byte[]? _data;
    private int[]? _sizes;
    private int _length;

    public OpusTrack(int channels, int preSkip, int maxPackets, int maxPacketBytes)
    {
        Channels = channels;
        PreSkip = preSkip;
        MaxPacketBytes = maxPacketBytes;
        Capacity = maxPackets;
        _data = LargeArrayPool.Shared.Rent(maxPackets * maxPacketBytes);
        _sizes = ArrayPool<int>.Shared.Rent(maxPackets);
    }

    public int Channels { get; }

    /// <summary>Encoder delay in 48 kHz samples: decoded output to discard before the first real sample.</summary>
    public int PreSkip { get; }

    public int MaxPacketBytes { get; }
    public int Capacity { get; }
    public int Count { get; private set; }
    public bool IsFull => Count >= Capacity;

    /// <summary>Stopwatch timestamp of the first packet's first input sample.</summary>
    public long FirstTimestamp { get; set; }

    public long DataBytes => _length;

    /// <summary>Storage the recording reserves for a track of <paramref name="maxPackets"/> packets (data and table).</summary>
    public static long ReservedBytes(int maxPackets, int maxPacketBytes) => (long)maxPackets * maxPacketBytes + Mp4Writer.AudioHeaderBytes(maxPackets);

    /// <summary>Room for the next packet; follow with <see cref="Commit"/>.</summary>
    public Span<byte> NextPacket() => IsFull ? throw new BufferFullException(Capacity) : _data.AsSpan(_length, MaxPacketBytes);

    public void Commit(int bytes)
    {
        _sizes![Count++] = bytes;
        _length += bytes;
    }

    /// <summary>Drops all but the newest <paramref name="keep"/> packets (audio from before the video started); returns how many went.</summary>
    public int KeepNewest(int keep)
    {
        int drop = Count - keep;
        if (drop <= 0)
            return 0;
        int dropped = 0;
        for (int i = 0; i < drop; i++)
            dropped += _sizes![i];
        _data.AsSpan(dropped, _length - dropped).CopyTo(_data);
        _sizes.AsSpan(drop, keep).CopyTo(_sizes);
        _length -= dropped;
        Count = keep;
        return drop;
    }

    public ReadOnlySpan<int> Sizes => _sizes.AsSpan(0, Count);

    public ReadOnlyMemory<byte> Data => _data.AsMemory(0, _length);

    public void Dispose()
    {
        if (_data is not null)
            LargeArrayPool.Shared.Return(_data);
        if (_sizes is not null)
            ArrayPool<int>.Shared.Return(_sizes);
        _data = null;
        _sizes = null;
    }
}
