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
    public void Sorts_like_a_stable_comparison_sort(int count, long maxKey)
    {
        var random = new Random(count);
        var keys = new long[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = random.NextInt64(0, maxKey);
        }

        var items = Enumerable.Range(0, count).ToArray();
        var expected = keys.Select((k, i) => (k, i)).OrderBy(p => p.k).ToArray(); // LINQ's OrderBy is stable

        RadixSort.Sort(keys, items);

        Assert.Equal(expected.Select(p => p.k), keys);
        Assert.Equal(expected.Select(p => p.i), items);
    }

    [Fact]
    public void Refuses_negative_keys()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RadixSort.Sort([3, -1], [0, 1]));
    }
}
