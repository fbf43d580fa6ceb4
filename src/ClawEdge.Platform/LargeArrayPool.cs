using System.Buffers;
using System.Numerics;

namespace ClawEdge.Platform;

/// <summary>
/// The pool for buffers of MBs — frames, clip chunks, result frames — that can be emptied when the node goes quiet.
/// <see cref="ArrayPool{T}.Shared"/> keeps what it is given per core and per thread and lets go of it only on a full
/// collection under memory pressure, or one array a minute: after 100 mixed invokes it held ~17 MB of frames and
/// chunks that no later command needed, on a board where that is a twentieth of the memory. Here the hot paths
/// still reuse their arrays, and <see cref="Drain"/> (called by the quiet-time trim) hands them all to the GC.
/// Requests up to <see cref="SmallMaxBytes"/> go to the shared pool, which is right for small buffers.
/// </summary>
public sealed class LargeArrayPool
{
    public const int SmallMaxBytes = 128 * 1024;
    private const int KeptPerSize = 4;
    private static readonly int FirstBucketShift = BitOperations.Log2(SmallMaxBytes) + 1;

    public static LargeArrayPool Shared { get; } = new();

    // Bucket i holds arrays of 2^(FirstBucketShift + i) bytes, up to 1 GiB.
    private readonly byte[]?[][] _buckets = Enumerable.Range(0, 30 - FirstBucketShift + 1).Select(_ => new byte[]?[KeptPerSize]).ToArray();
    private readonly int[] _counts = new int[30 - FirstBucketShift + 1];
    private readonly Lock _lock = new();

    public byte[] Rent(int minimumLength)
    {
        if (minimumLength <= SmallMaxBytes)
            return ArrayPool<byte>.Shared.Rent(minimumLength);
        int bucket = Bucket(minimumLength);
        if (bucket >= _buckets.Length)
            return GC.AllocateUninitializedArray<byte>(minimumLength);
        lock (_lock)
        {
            if (_counts[bucket] > 0)
            {
                ref var slot = ref _buckets[bucket][--_counts[bucket]];
                var array = slot!;
                slot = null;
                return array;
            }
        }
        return GC.AllocateUninitializedArray<byte>(1 << (FirstBucketShift + bucket));
    }

    public void Return(byte[] array, bool clearArray = false)
    {
        if (array.Length <= SmallMaxBytes)
        {
            ArrayPool<byte>.Shared.Return(array, clearArray);
            return;
        }
        int bucket = Bucket(array.Length);
        if (bucket >= _buckets.Length || array.Length != 1 << (FirstBucketShift + bucket))
            return; // not one of ours: the GC has it
        if (clearArray)
            Array.Clear(array);
        lock (_lock)
        {
            if (_counts[bucket] < KeptPerSize)
                _buckets[bucket][_counts[bucket]++] = array;
        }
    }

    /// <summary>Bytes held for reuse.</summary>
    public long HeldBytes
    {
        get
        {
            lock (_lock)
            {
                long total = 0;
                for (int i = 0; i < _counts.Length; i++)
                    total += (long)_counts[i] << (FirstBucketShift + i);
                return total;
            }
        }
    }

    /// <summary>Lets go of every array held; the next collection frees them.</summary>
    public void Drain()
    {
        lock (_lock)
        {
            for (int i = 0; i < _buckets.Length; i++)
            {
                Array.Clear(_buckets[i]);
                _counts[i] = 0;
            }
        }
    }

    private static int Bucket(int length) => BitOperations.Log2((uint)length - 1) + 1 - FirstBucketShift;
}
