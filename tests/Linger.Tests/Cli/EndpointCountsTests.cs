using Linger.Cli.Analyze;
using Linger.Flows;
using Linger.Wire;

namespace Linger.Tests.Cli;

/// <summary>
/// The table's per-endpoint counts give the same top endpoints as counting in a dictionary and ordering them all by
/// count, then by text, including ties and the bound on distinct endpoints.
/// </summary>
public sealed class EndpointCountsTests
{
    [Theory]
    [InlineData(1, 50_000, 100_000)]
    [InlineData(2, 3_000, 100_000)]
    [InlineData(3, 300, 100_000)]
    [InlineData(4, 20_000, 1_000)]
    public void Top_five_match_ordering_every_count(int seed, int distinct, int limit)
    {
        var random = new Random(seed);
        var pool = Enumerable.Range(0, distinct).Select(_ => RandomEndpoint(random)).ToArray();
        var counts = new EndpointCounts(limit);
        var expected = new Dictionary<Endpoint, long>();
        for (var i = 0; i < distinct * 4; i++)
        {
            // Skewed, so some endpoints are counted far more often and the counts tie at every level.
            var e = pool[(int)(distinct * Math.Pow(random.NextDouble(), 3))];
            counts.Add(e);
            if (expected.Count < limit || expected.ContainsKey(e))
            {
                expected[e] = expected.GetValueOrDefault(e) + 1;
            }
        }

        Assert.Equal(expected.Count, counts.Count);
        foreach (var n in (ReadOnlySpan<int>)[1, 5, 40])
        {
            var want = expected.OrderByDescending(p => p.Value).ThenBy(p => p.Key.ToString(), StringComparer.Ordinal).Take(n)
                .Select(p => (p.Key.ToString(), p.Value)).ToList();
            Assert.Equal(want, counts.Top(n).Select(t => (t.Endpoint, t.Count)).ToList());
        }
    }

    [Fact]
    public void Equal_counts_are_ordered_by_text_not_by_address()
    {
        var counts = new EndpointCounts(100);
        foreach (var e in (ReadOnlySpan<Endpoint>)[V4(10, 0, 0, 9, 80), V4(10, 0, 0, 10, 80), V4(9, 0, 0, 1, 8080), V6(1, 80)])
        {
            counts.Add(e);
        }

        // "10.0.0.10:80" < "10.0.0.9:80" < "9.0.0.1:8080" < "[::1]:80" as text.
        Assert.Equal(
            ["10.0.0.10:80", "10.0.0.9:80", "9.0.0.1:8080", "[::1]:80"],
            counts.Top(5).Select(t => t.Endpoint));
        Assert.All(counts.Top(5), t => Assert.Equal(1, t.Count));
    }

    private static Endpoint RandomEndpoint(Random random) => random.Next(4) == 0
        ? V6((ulong)random.Next(1, 40), (ushort)random.Next(1, 5))
        : V4(192, 0, (byte)random.Next(3), (byte)random.Next(256), (ushort)random.Next(1, 30));

    private static Endpoint V4(byte a, byte b, byte c, byte d, ushort port) => new(IpAddress.FromV4([a, b, c, d]), port);

    private static Endpoint V6(ulong low, ushort port)
    {
        var bytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), low);
        return new(IpAddress.FromV6(bytes), port);
    }
}
