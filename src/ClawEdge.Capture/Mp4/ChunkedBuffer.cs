using System.Buffers;
using ClawEdge.Platform;

namespace ClawEdge.Capture.Mp4;

/// <summary>
/// A growable byte sink made of 1 MiB arrays rented from the shared pool, with a hard cap. Unlike one big
/// array it never copies what it already holds when it grows, so a 20 MB recording costs 20 MB, not 40.
/// A span handed out by <see cref="GetSpan"/> is always contiguous; the unused tail of a chunk is skipped,
/// and readers see only the bytes written.
/// </summary>
public sealed class ChunkedBuffer : IBufferWriter<byte>, IDisposable
{
    public const int ChunkSize = 1 << 20;

    private readonly byte[]?[] _chunks;
    private readonly int[] _used;
    private readonly long _capacity;
    private int _current = -1;

    /// <param name="capacity">Most bytes the buffer may hold; <see cref="GetSpan"/> past it throws <see cref="BufferFullException"/>.</param>
    public ChunkedBuffer(long capacity)
    {
        _capacity = capacity;
        // +2: a span that does not fit the current chunk's tail moves to a new chunk, wasting at most one tail.
        int count = (int)Math.Min(int.MaxValue, capacity / ChunkSize + 2);
        _chunks = new byte[]?[count];
        _used = new int[count];
    }

    /// <summary>Bytes of pooled arrays held (the file's storage; grows one chunk at a time).</summary>
    public long RentedBytes { get; private set; }

    /// <summary>Bytes written so far.</summary>
    public long Length { get; private set; }

    public void Advance(int count)
    {
        if (_current < 0 || count < 0 || _used[_current] + count > _chunks[_current]!.Length)
            throw new InvalidOperationException("advance past the span handed out");
        // The capacity is checked per write, not only per rented chunk: a chunk is 1 MiB, the budget is exact.
        if (Length + count > _capacity)
            throw new BufferFullException(_capacity);
        _used[_current] += count;
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => EnsureSpace(sizeHint).AsMemory(_used[_current]);

    public Span<byte> GetSpan(int sizeHint = 0) => EnsureSpace(sizeHint).AsSpan(_used[_current]);

    private byte[] EnsureSpace(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (Length + sizeHint > _capacity)
            throw new BufferFullException(_capacity);
        if (_current >= 0 && _chunks[_current]!.Length - _used[_current] >= sizeHint)
            return _chunks[_current]!;
        if (Length + sizeHint > _capacity || _current + 1 >= _chunks.Length)
            throw new BufferFullException(_capacity);
        _current++;
        var chunk = LargeArrayPool.Shared.Rent(Math.Max(ChunkSize, sizeHint));
        RentedBytes += chunk.Length;
        _chunks[_current] = chunk;
        _used[_current] = 0;
        return chunk;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var span = GetSpan(1);
            int n = Math.Min(span.Length, data.Length);
            data[..n].CopyTo(span);
            Advance(n);
            data = data[n..];
        }
    }

    /// <summary>The written bytes, in order, chunk by chunk.</summary>
    public int SegmentCount => _current + 1;

    /// <summary>Valid until the buffer is truncated past it or disposed.</summary>
    public ReadOnlyMemory<byte> Segment(int index) => _chunks[index].AsMemory(0, _used[index]);

    /// <summary>Drops everything written after <paramref name="length"/> (a sample that turned out unusable).</summary>
    public void Truncate(long length)
    {
        while (_current >= 0 && Length - _used[_current] >= length)
        {
            Length -= _used[_current];
            RentedBytes -= _chunks[_current]!.Length;
            LargeArrayPool.Shared.Return(_chunks[_current]!);
            _chunks[_current] = null;
            _used[_current] = 0;
            _current--;
            if (Length == length)
                return;
        }
        if (_current >= 0 && Length > length)
        {
            _used[_current] -= (int)(Length - length);
            Length = length;
        }
    }

    public void Dispose()
    {
        for (int i = 0; i <= _current; i++)
        {
            LargeArrayPool.Shared.Return(_chunks[i]!);
            _chunks[i] = null;
        }
        _current = -1;
        Length = 0;
        RentedBytes = 0;
    }
}

/// <summary>The recording reached its byte budget (the gateway's payload limit).</summary>
public sealed class BufferFullException(long capacity) : Exception($"media exceeds {capacity} bytes")
{
    public long Capacity { get; } = capacity;
}
