using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Linger.Flows.Internal;

/// <summary>
/// An open-addressing hash index from flow keys to slots of a <see cref="ConversationTable"/>: linear probing in
/// 8-byte buckets (the slot and the key's hash), at most 70% full (a probe run rarely leaves its cache line), with
/// backward-shift deletion so no tombstones build up however many conversations come and go. The keys themselves
/// stay in the slots.
/// </summary>
internal sealed class FlowIndex(ConversationTable slots)
{
    private Bucket[] _buckets = new Bucket[1024];
    private int _mask = 1024 - 1;

    public int Count { get; private set; }

    /// <summary>The slot of the conversation with this key, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(in FlowKey key, uint hash)
    {
        var buckets = _buckets;
        var mask = _mask;
        for (var i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            var b = buckets[i];
            if (b.SlotPlusOne == 0)
            {
                return -1;
            }

            if (b.Hash == hash && slots[b.SlotPlusOne - 1].Key.Equals(key))
            {
                return b.SlotPlusOne - 1;
            }
        }
    }

    /// <summary>The slot in the bucket where a look-up of this hash starts, when that bucket holds this hash; else -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int HomeSlot(uint hash)
    {
        var b = _buckets[(int)hash & _mask];
        return b.SlotPlusOne > 0 && b.Hash == hash ? b.SlotPlusOne - 1 : -1;
    }

    /// <summary>Asks the processor for the bucket where a look-up of this hash starts (only a hint; x86 only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchHome(uint hash)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref _buckets[(int)hash & _mask]));
        }
    }

    /// <summary>Indexes a slot under its key's hash; the key must not be indexed yet.</summary>
    [MethodImpl(Compile.Hot)]
    public void Add(int slot, uint hash)
    {
        if (Count >= _buckets.Length / 10 * 7)
        {
            Grow();
        }

        Insert(_buckets, _mask, slot, hash);
        Count++;
    }

    /// <summary>Removes an indexed slot.</summary>
    [MethodImpl(Compile.Hot)]
    public void Remove(int slot, uint hash)
    {
        var buckets = _buckets;
        var mask = _mask;
        var i = (int)hash & mask;
        while (buckets[i].SlotPlusOne != slot + 1)
        {
            i = (i + 1) & mask;
        }

        // Pull later entries of the probe run into the hole, unless that would move one before its home bucket.
        var j = i;
        while (true)
        {
            j = (j + 1) & mask;
            var b = buckets[j];
            if (b.SlotPlusOne == 0)
            {
                break;
            }

            var home = (int)b.Hash & mask;
            var homeInHoleToJ = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!homeInHoleToJ)
            {
                buckets[i] = b;
                i = j;
            }
        }

        buckets[i] = default;
        Count--;
    }

    public void Clear()
    {
        Array.Clear(_buckets);
        Count = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Insert(Bucket[] buckets, int mask, int slot, uint hash)
    {
        var i = (int)hash & mask;
        while (buckets[i].SlotPlusOne != 0)
        {
            i = (i + 1) & mask;
        }

        buckets[i] = new Bucket(slot + 1, hash);
    }

    private void Grow()
    {
        var buckets = new Bucket[_buckets.Length * 2];
        var mask = buckets.Length - 1;
        foreach (var b in _buckets)
        {
            if (b.SlotPlusOne != 0)
            {
                Insert(buckets, mask, b.SlotPlusOne - 1, b.Hash);
            }
        }

        _buckets = buckets;
        _mask = mask;
    }

    private readonly record struct Bucket(int SlotPlusOne, uint Hash);
}
