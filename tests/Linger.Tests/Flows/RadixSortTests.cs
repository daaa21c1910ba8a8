using Linger.Flows.Internal;

namespace Linger.Tests.Flows;

/// <summary>The end-of-input sort gives what a stable comparison sort gives, for keys of every size.</summary>
public sealed class RadixSortTests
{
    [Theory]
    [InlineData(0, 10L)]
    [InlineData(1, 10L)]
    [InlineData(1000, 50L)] // many equal keys: they keep their order
    [InlineData(5000, 3_000_000L)]
    [InlineData(5000, long.MaxValue)]
    [InlineData(5000, -1L)] // negative keys too (frame numbers a caller gave): from long.MinValue up
    public void Sorts_like_a_stable_comparison_sort(int count, long maxKey)
    {
        var random = new Random(count);
        var keys = new long[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = maxKey < 0 ? random.NextInt64(long.MinValue, long.MaxValue) : random.NextInt64(0, maxKey);
        }

        var items = Enumerable.Range(0, count).ToArray();
        var expected = keys.Select((k, i) => (k, i)).OrderBy(p => p.k).ToArray(); // LINQ's OrderBy is stable

        RadixSort.Sort(keys, items);

        Assert.Equal(expected.Select(p => p.k), keys);
        Assert.Equal(expected.Select(p => p.i), items);
    }

    [Fact]
    public void Negative_keys_come_before_the_others()
    {
        long[] keys = [3, -1, long.MinValue, 0, -1];
        int[] items = [0, 1, 2, 3, 4];

        RadixSort.Sort(keys, items);

        Assert.Equal([long.MinValue, -1, -1, 0, 3], keys);
        Assert.Equal([2, 1, 4, 3, 0], items);
    }
}
