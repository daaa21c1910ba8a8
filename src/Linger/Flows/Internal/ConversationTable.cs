using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Linger.Flows.Internal;

/// <summary>
/// The conversations being tracked, by flow key: each lives in a numbered slot of large blocks of memory outside the
/// GC heap (allocated in chunks that never move, so a <c>ref</c> to a slot stays valid while others come and go).
/// Freed slots are reused, most recently freed first, while they are still in cache. Beside each slot: its links in
/// the tracker's lists, and the letters of a history too long to fit in the slot.
/// </summary>
/// <remarks>
/// Compared with a dictionary of objects: no object per conversation for the GC to trace or promote and no pointer
/// to chase per packet. Compared with struct arrays on the GC heap: a capture's conversations take tens of megabytes
/// (640 bytes each) that the GC would zero, and whose large-object allocations set off full collections
/// (three in a run over the benchmark capture), though a slot holds no reference for the GC to find.
/// </remarks>
internal sealed class ConversationTable
{
    private const int ChunkShift = 10;
    private const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    // A direct-mapped cache in front of the index, small enough to stay in cache: the slot that a hash last led to,
    // with the hash, so that a collision costs no look at another conversation. A packet of a conversation seen
    // recently finds its slot without touching the index, whose buckets are cold in a capture with many
    // conversations (every one of the last few seconds lingers, and every one never closed stays).
    private const int RecentSize = 8192;

    private readonly FlowIndex _index;
    private readonly RecentSlot[] _recent = new RecentSlot[RecentSize];
    private readonly List<NativeChunk> _owners = [];
    private nint[] _chunks = new nint[16]; // the addresses of _owners' memory, by chunk number
    private SlotLink[] _links = new SlotLink[ChunkSize];
    private byte[]?[]? _longHistories; // by slot, created when the first history outgrows its slot
    private int _slotsCreated;
    private int[] _free = new int[ChunkSize];
    private int _freeCount;

    public ConversationTable() => _index = new FlowIndex(this);

    /// <summary>The reset evidence of the conversations that have a RST (<see cref="Conversation.ResetId"/>).</summary>
    public ResetEvidenceStore Resets { get; } = new();

    /// <summary>Conversations in the table.</summary>
    public int Count => _index.Count;

    /// <summary>Every slot in use is below this number (<see cref="IsLive"/> tells which are).</summary>
    public int SlotsCreated => _slotsCreated;

    /// <summary>The conversation in a slot.</summary>
    public ref Conversation this[int slot]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref Unsafe.Add(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<Conversation>(), _chunks[slot >> ChunkShift]), slot & ChunkMask);
    }

    /// <summary>Whether a slot below <see cref="SlotsCreated"/> holds a conversation (a freed one holds <see cref="FlowKey.None"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsLive(int slot) => !this[slot].Key.Equals(FlowKey.None);

    /// <summary>A slot's links in the tracker's lists: kept apart from the slots, so relinking touches 8 bytes each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref SlotLink Link(int slot) => ref _links[slot];

    /// <summary>The slot of the conversation with this key, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(in FlowKey key, uint hash)
    {
        ref var recent = ref _recent[hash & (RecentSize - 1)];
        var slot = recent.SlotPlusOne - 1;
        if (recent.Hash == hash && slot >= 0 && this[slot].Key.Equals(key))
        {
            return slot; // a freed slot holds FlowKey.None, which equals no key
        }

        slot = _index.Find(in key, hash);
        if (slot >= 0)
        {
            recent = new RecentSlot(slot + 1, hash);
        }

        return slot;
    }

    /// <summary>
    /// Asks the processor for the slot of the conversation a look-up of this hash will most likely find: the one the
    /// recent-slot cache holds for it, else the one in the index bucket where the look-up starts (a stale or colliding
    /// entry costs only a useless fetch); with neither, that bucket. Only a hint: nothing is read from the slot.
    /// </summary>
    /// <remarks>
    /// A packet misses the cache on its conversation's slot (one of tens of thousands, touched at random), and on the
    /// TLB as well; taken one packet at a time, the waits were about a tenth of a run's CPU time over the benchmark
    /// capture (perf: the instructions that wait on the recent-slot entry, the index bucket and the slot).
    /// Asked for a few packets ahead, they overlap with the tracking of the packets before.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(uint hash)
    {
        if (!Sse.IsSupported)
        {
            return; // (a constant to the compiler: no code at all where there is no prefetch instruction)
        }

        var recent = _recent[hash & (RecentSize - 1)];
        if (recent.Hash == hash && recent.SlotPlusOne > 0)
        {
            PrefetchSlot(recent.SlotPlusOne - 1);
        }
        else if (_index.HomeSlot(hash) is var slot and >= 0)
        {
            PrefetchSlot(slot);
        }
        else
        {
            _index.PrefetchHome(hash);
        }
    }

    /// <summary>Asks the processor for every cache line of a slot (only a hint; x86 only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchSlot(int slot)
    {
        if (Sse.IsSupported)
        {
            var start = (byte*)Unsafe.AsPointer(ref this[slot]);
            for (var offset = 0; offset < Unsafe.SizeOf<Conversation>(); offset += 64)
            {
                Sse.Prefetch0(start + offset); // (slots start on a line: NativeChunk)
            }
        }
    }

    /// <summary>
    /// Gives a key that is not in the table a slot; the caller starts the conversation in it
    /// (<see cref="Conversation.Start"/>) before the next lookup.
    /// </summary>
    public int Add(uint hash)
    {
        var slot = RentSlot();
        _index.Add(slot, hash);
        _recent[hash & (RecentSize - 1)] = new RecentSlot(slot + 1, hash);
        return slot;
    }

    /// <summary>
    /// Removes the conversation in a slot and frees the slot. Its key becomes <see cref="FlowKey.None"/>; the rest stays
    /// readable until the slot is reused.
    /// </summary>
    [MethodImpl(Compile.Hot)]
    public void Remove(int slot)
    {
        ref var c = ref this[slot];
        _index.Remove(slot, c.KeyHash);
        c.Key = FlowKey.None;
        if (c.ResetId != 0)
        {
            Resets.Release(c.ResetId);
        }

        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, _free.Length * 2);
        }

        _free[_freeCount++] = slot;
    }

    /// <summary>Forgets every conversation at once (after they were all emitted); the memory is kept for reuse.</summary>
    public void Clear()
    {
        _index.Clear();
        Array.Clear(_recent);
        Resets.Clear();
        _freeCount = 0;
        _slotsCreated = 0;
    }

    /// <summary>Moves the history letters that did not fit in the slot out of it (after every packet that adds some).</summary>
    public void MoveLongHistory(int slot)
    {
        ref var zeek = ref this[slot].Zeek;
        if (_longHistories is null || slot >= _longHistories.Length)
        {
            Array.Resize(ref _longHistories, _links.Length);
        }

        var letters = _longHistories[slot] ??= new byte[ZeekHistory.MaxLength - ZeekHistory.InlineCapacity];
        var movedBefore = zeek.History.Length - ZeekHistory.InlineCapacity;
        Span<byte> pending = stackalloc byte[16];
        var n = zeek.TakePendingHistory(pending);
        pending[..n].CopyTo(letters.AsSpan(movedBefore - n));
    }

    /// <summary>The history letters of a slot that did not fit in it (<see cref="MoveLongHistory"/>).</summary>
    public ReadOnlySpan<byte> LongHistory(int slot) =>
        _longHistories is { } all && slot < all.Length ? all[slot] : default;

    [MethodImpl(Compile.Hot)]
    private int RentSlot()
    {
        if (_freeCount > 0)
        {
            return _free[--_freeCount];
        }

        // Counted only once its memory is there: a slot below SlotsCreated is one that Conversation.Start has cleared.
        var slot = _slotsCreated;
        var chunk = slot >> ChunkShift;
        if (chunk == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length * 2);
        }

        if (_chunks[chunk] == 0)
        {
            var memory = new NativeChunk(ChunkSize * Unsafe.SizeOf<Conversation>());
            _owners.Add(memory);
            _chunks[chunk] = memory.Address;
        }
        if (slot == _links.Length)
        {
            Array.Resize(ref _links, _links.Length * 2);
        }

        _slotsCreated++;
        return slot;
    }

    private readonly record struct RecentSlot(int SlotPlusOne, uint Hash);

    /// <summary>
    /// The memory of one chunk of slots, from the C heap, freed when the table is collected: a caller holding a
    /// <c>ref</c> to a slot keeps the tracker alive (<c>GC.KeepAlive</c>) while it uses it. The GC is not told of it
    /// (GC.AddMemoryPressure): that set off five full collections in a run over the benchmark capture. Not zeroed: a
    /// slot is read only once <see cref="Conversation.Start"/> has cleared it (<see cref="SlotsCreated"/>).
    /// </summary>
    private sealed class NativeChunk : SafeHandle
    {
        // The slots start on a cache line (the C heap aligns to 16 bytes only): a 640-byte slot then spans 10 lines,
        // not 11, and its first line holds the key and what every packet updates.
        private const int LineBytes = 64;

        public NativeChunk(int bytes)
            : base(0, ownsHandle: true)
        {
            SetHandle(Marshal.AllocHGlobal(bytes + LineBytes - 1));
        }

        public nint Address => (handle + LineBytes - 1) & ~(nint)(LineBytes - 1);

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            Marshal.FreeHGlobal(handle);
            return true;
        }
    }
}
