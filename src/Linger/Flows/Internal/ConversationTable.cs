using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// The conversations being tracked, by flow key: each lives in a numbered slot of large struct arrays (allocated in
/// chunks that never move, so a <c>ref</c> to a slot stays valid while others come and go). Freed slots are reused,
/// most recently freed first, while they are still in cache. Beside each slot: its links in the tracker's lists, and
/// the letters of a history too long to fit in the slot.
/// </summary>
/// <remarks>
/// Compared with a dictionary of objects: no object per conversation for the GC to trace or promote and no pointer
/// to chase per packet. Active and lingering conversations are indexed apart: most packets belong to the few
/// thousand active ones, whose small index stays in cache, while the lingering ones (every conversation of the last
/// few seconds, in a busy capture) are looked up only for packets that match no active conversation.
/// </remarks>
internal sealed class ConversationTable
{
    private const int ChunkShift = 10;
    private const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    private readonly FlowIndex _active;
    private readonly FlowIndex _lingering;
    private Conversation[]?[] _chunks = new Conversation[]?[16];
    private SlotLink[] _links = new SlotLink[ChunkSize];
    private byte[]?[] _longHistories = new byte[]?[ChunkSize];
    private int _slotsCreated;
    private int[] _free = new int[ChunkSize];
    private int _freeCount;

    public ConversationTable()
    {
        _active = new FlowIndex(this);
        _lingering = new FlowIndex(this);
    }

    /// <summary>Conversations in the table.</summary>
    public int Count => _active.Count + _lingering.Count;

    /// <summary>The conversation in a slot.</summary>
    public ref Conversation this[int slot]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _chunks[slot >> ChunkShift]![slot & ChunkMask];
    }

    /// <summary>A slot's links in the tracker's lists: kept apart from the slots, so relinking touches 16 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref SlotLink Link(int slot) => ref _links[slot];

    /// <summary>The slot of the conversation with this key, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(in FlowKey key, uint hash)
    {
        var slot = _active.Find(in key, hash);
        return slot >= 0 || _lingering.Count == 0 ? slot : _lingering.Find(in key, hash);
    }

    /// <summary>
    /// Gives a key that is not in the table a slot; the caller starts the conversation in it
    /// (<see cref="Conversation.Start"/>) before the next lookup.
    /// </summary>
    public int Add(uint hash)
    {
        var slot = RentSlot();
        _active.Add(slot, hash);
        return slot;
    }

    /// <summary>Marks the conversation in a slot as finished and lingering.</summary>
    public void Linger(int slot)
    {
        ref var c = ref this[slot];
        _active.Remove(slot, c.KeyHash);
        _lingering.Add(slot, c.KeyHash);
        c.Lingering = true;
    }

    /// <summary>Removes the conversation in a slot and frees the slot (its contents stay readable until reused).</summary>
    public void Remove(int slot)
    {
        ref var c = ref this[slot];
        (c.Lingering ? _lingering : _active).Remove(slot, c.KeyHash);
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, _free.Length * 2);
        }

        _free[_freeCount++] = slot;
    }

    /// <summary>Forgets every conversation at once (after they were all emitted); the memory is kept for reuse.</summary>
    public void Clear()
    {
        _active.Clear();
        _lingering.Clear();
        _freeCount = 0;
        _slotsCreated = 0;
    }

    /// <summary>Moves the history letters that did not fit in the slot out of it (after every packet that adds some).</summary>
    public void MoveLongHistory(int slot)
    {
        ref var history = ref this[slot].Zeek.History;
        var letters = _longHistories[slot] ??= new byte[ZeekHistory.MaxLength - ZeekHistory.InlineCapacity];
        var movedBefore = history.Length - ZeekHistory.InlineCapacity;
        Span<byte> pending = stackalloc byte[16];
        var n = history.TakePending(pending);
        pending[..n].CopyTo(letters.AsSpan(movedBefore - n));
    }

    /// <summary>The history letters of a slot that did not fit in it (<see cref="MoveLongHistory"/>).</summary>
    public ReadOnlySpan<byte> LongHistory(int slot) => _longHistories[slot];

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
        if (slot == _links.Length)
        {
            Array.Resize(ref _links, _links.Length * 2);
            Array.Resize(ref _longHistories, _longHistories.Length * 2);
        }

        return slot;
    }
}
