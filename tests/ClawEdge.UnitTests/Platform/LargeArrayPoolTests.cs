using ClawEdge.Platform;

namespace ClawEdge.UnitTests.Platform;

public class LargeArrayPoolTests
{
    [Test]
    public async Task Large_arrays_are_reused_until_drained_and_then_new_ones_are_made()
    {
        var pool = new LargeArrayPool();
        var first = pool.Rent(1_000_000);
        await Assert.That(first.Length).IsEqualTo(1 << 20);
        pool.Return(first);
        await Assert.That(pool.HeldBytes).IsEqualTo(1L << 20);
        await Assert.That(pool.Rent(700_000)).IsSameReferenceAs(first); // the same 1 MiB bucket
        pool.Return(first);

        pool.Drain();
        await Assert.That(pool.HeldBytes).IsEqualTo(0L);
        var after = pool.Rent(1_000_000);
        await Assert.That(after).IsNotSameReferenceAs(first);
    }

    [Test]
    public async Task Each_size_keeps_a_few_arrays_and_foreign_or_small_ones_are_not_held()
    {
        var pool = new LargeArrayPool();
        var arrays = Enumerable.Range(0, 6).Select(_ => pool.Rent(300_000)).ToList();
        await Assert.That(arrays.Select(a => a.Length).Distinct().Single()).IsEqualTo(512 * 1024);
        foreach (var a in arrays)
            pool.Return(a);
        await Assert.That(pool.HeldBytes).IsEqualTo(4L * 512 * 1024);

        pool.Return(new byte[300_000]); // not a bucket size: left to the GC
        await Assert.That(pool.HeldBytes).IsEqualTo(4L * 512 * 1024);

        var small = pool.Rent(1000); // the shared pool's business
        await Assert.That(small.Length).IsLessThanOrEqualTo(LargeArrayPool.SmallMaxBytes);
        pool.Return(small);
        await Assert.That(pool.HeldBytes).IsEqualTo(4L * 512 * 1024);

        // Just over the small limit is the first large size.
        await Assert.That(pool.Rent(LargeArrayPool.SmallMaxBytes + 1).Length).IsEqualTo(2 * LargeArrayPool.SmallMaxBytes);
    }
}
