using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// The conversations being tracked, by flow key: each lives in a numbered slot of large struct arrays (allocated in
/// chunks that never move, so a <c>ref</c> to a slot stays valid while others come and go), and an open-addressing
/// hash index maps keys to slots. Freed slots are reused, most recently freed first, while they are still in cache.
/// </summary>
/// <remarks>
/// Compared with a dictionary of objects: no object per conversation for the GC to trace or promote, no pointer to
/// chase per packet, and a lookup touches one 8-byte bucket and the conversation's own key.
/// </remarks>
internal sealed class ConversationTable
{
    private const int ChunkShift = 10;
    private const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    private Conversation[]?[] _chunks = new Conversation[]?[16];
    private int _slotsCreated;
    private int[] _free = new int[ChunkSize];
    private int _freeCount;

    // Linear probing, at most half full; a bucket holds slot + 1 (0: empty) and the key's hash.
    private Bucket[] _buckets = new Bucket[4096];
    private int _mask = 4096 - 1;

    /// <summary>Conversations in the table.</summary>
    public int Count { get; private set; }

    /// <summary>The conversation in a slot.</summary>
    public ref Conversation this[int slot]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _chunks[slot >> ChunkShift]![slot & ChunkMask];
    }

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

            if (b.Hash == hash && this[b.SlotPlusOne - 1].Key.Equals(key))
            {
                return b.SlotPlusOne - 1;
            }
        }
    }

    /// <summary>
    /// Gives a key that is not in the table a slot; the caller starts the conversation in it
    /// (<see cref="Conversation.Start"/>) before the next lookup.
    /// </summary>
    public int Add(uint hash)
    {
        if (Count >= _buckets.Length / 2)
        {
            GrowIndex();
        }

        var slot = RentSlot();
        Insert(_buckets, _mask, slot, hash);
        Count++;
        return slot;
    }

    /// <summary>Removes the conversation in a slot and frees the slot (its contents stay readable until reused).</summary>
    public void Remove(int slot)
    {
        var buckets = _buckets;
        var mask = _mask;
        var i = (int)this[slot].KeyHash & mask;
        while (buckets[i].SlotPlusOne != slot + 1)
        {
            i = (i + 1) & mask;
        }

        // Backward-shift deletion: pull later entries of the probe run into the hole, unless that would move one
        // before its home bucket; no tombstones, so lookups stay short however many conversations come and go.
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
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, _free.Length * 2);
        }

        _free[_freeCount++] = slot;
    }

    private static void Insert(Bucket[] buckets, int mask, int slot, uint hash)
    {
        var i = (int)hash & mask;
        while (buckets[i].SlotPlusOne != 0)
        {
            i = (i + 1) & mask;
        }

        buckets[i] = new Bucket(slot + 1, hash);
    }

    private int RentSlot()
    {
        if (_freeCount > 0)
        {
            return _free[--_freeCount];
        }

        var slot = _slotsCreated++;
        var chunk = slot >> ChunkShift;
        if (chunk == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length * 2);
        }

        _chunks[chunk] ??= new Conversation[ChunkSize];
        return slot;
    }

    private void GrowIndex()
    {
        var old = _buckets;
        var buckets = new Bucket[old.Length * 2];
        var mask = buckets.Length - 1;
        foreach (var b in old)
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
