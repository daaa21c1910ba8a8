using System.Runtime.CompilerServices;
using Linger.Flows.Internal;
using Linger.Wire;

namespace Linger.Tests.Flows;

/// <summary>The conversation table's memory layout and the hints it gives the processor.</summary>
public sealed class ConversationTableTests
{
    [Fact]
    public unsafe void Slots_start_on_a_cache_line_in_every_chunk()
    {
        var table = new ConversationTable();
        var slots = Enumerable.Range(0, 3000).Select(i => table.Add((uint)i)).ToArray(); // three chunks of 1,024

        foreach (var slot in new[] { 0, 1, 1023, 1024, 1025, 2047, 2048, 2999 })
        {
            var address = (nint)Unsafe.AsPointer(ref table[slots[slot]]);
            Assert.Equal(0, address % 64);
        }

        GC.KeepAlive(table);
    }

    [Fact]
    public void Home_slot_is_the_slot_whose_hash_is_in_the_bucket_a_look_up_starts_at()
    {
        var index = new FlowIndex(new ConversationTable());
        index.Add(7, hash: 5);
        index.Add(8, hash: 5 + 1024); // the same home bucket (1,024 buckets): it goes to the next one

        Assert.Equal(7, index.HomeSlot(5));
        Assert.Equal(-1, index.HomeSlot(5 + 1024)); // its home bucket holds another hash
        Assert.Equal(-1, index.HomeSlot(6)); // that bucket holds a hash whose home it is not
        Assert.Equal(-1, index.HomeSlot(0)); // an empty bucket (whose hash field reads 0)
        Assert.Equal(-1, index.HomeSlot(99));
    }

    [Fact]
    public void Prefetching_stale_colliding_and_unknown_hashes_changes_no_look_up()
    {
        var table = new ConversationTable();
        var keys = Enumerable.Range(0, 2000).Select(Key).ToArray();
        var slots = new int[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var hash = keys[i].Hash();
            slots[i] = table.Add(hash);
            table[slots[i]].Start(in keys[i], hash, 0, Packet(keys[i]));
        }

        for (var i = 0; i < keys.Length; i += 2)
        {
            table.Remove(slots[i]); // their recent-slot entries and buckets go stale or move
        }

        foreach (var key in keys)
        {
            table.Prefetch(key.Hash());
        }

        table.Prefetch(0);
        table.Prefetch(uint.MaxValue);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? -1 : slots[i], table.Find(in keys[i], keys[i].Hash()));
        }

        table.Clear();
        foreach (var key in keys)
        {
            table.Prefetch(key.Hash());
            Assert.Equal(-1, table.Find(in key, key.Hash()));
        }
    }

    private static FlowKey Key(int i) => FlowKey.Of(Packet(i), out _);

    private static TcpPacket Packet(int i) => new()
    {
        Source = IpAddress.FromV4((uint)(0x0A000000 + i)),
        Destination = IpAddress.FromV4(0xC0000201),
        SourcePort = (ushort)(1024 + (i % 60000)),
        DestinationPort = 443,
        Flags = TcpFlags.Syn,
    };

    private static TcpPacket Packet(FlowKey key) => new() { Flags = TcpFlags.Syn, TimestampNs = key.Hash() };
}
