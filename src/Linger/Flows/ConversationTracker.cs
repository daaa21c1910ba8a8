using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Linger.Flows.Internal;
using Linger.Wire;

namespace Linger.Flows;

/// <summary>
/// Follows TCP conversations (both directions of each 4-tuple) through a stream of decoded packets and emits a
/// <see cref="ConversationSummary"/> for each as it ends. Memory stays bounded: a conversation that finished (both
/// sides closed, or a RST) is emitted once <see cref="ConversationTrackerOptions.CloseLinger"/> of capture time has
/// passed without forgetting late packets; one that is silent for
/// <see cref="ConversationTrackerOptions.InactivityTimeout"/> is emitted with its state at that point; a SYN that
/// reuses the address and ports with another initial sequence number ends the old conversation and starts a new one
/// (Zeek's rule). Capture time is the newest packet timestamp seen so far.
/// </summary>
/// <remarks>
/// Not thread-safe: feed it from one thread. Drain <see cref="DrainFinished"/> regularly (the queue holds every
/// emitted summary until taken). <see cref="Add"/> allocates nothing per packet and, once the tracker has held as
/// many conversations at once as it will, nothing per conversation but its summary: conversations live in reused
/// slots of plain structs (640 bytes each) in blocks of memory outside the GC heap, indexed by an
/// open-addressing hash table.
/// </remarks>
public sealed class ConversationTracker
{
    // How many summaries ahead the end-of-input flush asks for a conversation's slot (4: −1.8% wall time against none).
    private const int FlushPrefetchDistance = 4;

    private readonly ConversationTable _table = new();
    private readonly Queue<ConversationSummary> _finished = new();

    // When a driver numbers the packets (several trackers sharing one capture), where each emitted summary falls in
    // the order one tracker would have emitted it; null otherwise.
    private readonly Queue<EmitOrder>? _orders;
    private readonly HistoryStrings _histories = new();
    private readonly long _inactivityNs;
    private readonly long _lingerNs;
    private readonly int _maxConversations;

    // Two intrusive lists of slots, oldest first: active conversations by last packet, lingering ones by when they
    // finished.
    private ListEnds _active = ListEnds.Empty;
    private ListEnds _lingering = ListEnds.Empty;
    private long _nowNs = long.MinValue;

    // Until capture time passes this, no list head is due (see ExpireDue): most packets skip the look at the heads.
    private long _dueNs = long.MinValue;
    private long _sequence;

    // The slots of the conversations left at the end of the input, in the order they go out (BeginFlush, FlushSome).
    private int[]? _flushSlots;
    private int _flushNext;

    /// <summary>Creates a tracker.</summary>
    /// <param name="options">Timeouts and limits; defaults when null.</param>
    public ConversationTracker(ConversationTrackerOptions? options = null)
        : this(options, ordered: false)
    {
    }

    /// <summary>Creates a tracker; <paramref name="ordered"/> records each summary's <see cref="EmitOrder"/>.</summary>
    internal ConversationTracker(ConversationTrackerOptions? options, bool ordered)
    {
        _orders = ordered ? new Queue<EmitOrder>() : null;
        options ??= new ConversationTrackerOptions();
        if (options.InactivityTimeout <= TimeSpan.Zero || options.CloseLinger < TimeSpan.Zero || options.MaxConversations < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                "InactivityTimeout must be positive, CloseLinger not negative, and MaxConversations at least 1.");
        }

        _inactivityNs = options.InactivityTimeout.Ticks * 100;
        _lingerNs = options.CloseLinger.Ticks * 100;
        _maxConversations = options.MaxConversations;
    }

    /// <summary>Conversations being tracked now (active or lingering).</summary>
    public int ActiveConversations => _table.Count;

    /// <summary>Summaries emitted so far, for any reason.</summary>
    public long Emitted { get; private set; }

    /// <summary>Conversations emitted because they were silent for the inactivity timeout.</summary>
    public long Expired { get; private set; }

    /// <summary>Conversations emitted early because <see cref="ConversationTrackerOptions.MaxConversations"/> was reached.</summary>
    public long Evicted { get; private set; }

    /// <summary>Conversations ended by a new SYN reusing their address and ports.</summary>
    public long Reused { get; private set; }

    /// <summary>Packets added.</summary>
    public long PacketsSeen { get; private set; }

    /// <summary>Summaries emitted and not yet taken.</summary>
    public int PendingCount => _finished.Count;

    /// <summary>Tracks every packet of <paramref name="packets"/> and yields each conversation as it ends, then the rest.</summary>
    /// <param name="packets">Decoded packets in capture order.</param>
    /// <param name="options">Timeouts and limits; defaults when null.</param>
    public static IEnumerable<ConversationSummary> Analyze(IEnumerable<TcpPacket> packets, ConversationTrackerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(packets);
        return Run(packets, new ConversationTracker(options));

        static IEnumerable<ConversationSummary> Run(IEnumerable<TcpPacket> packets, ConversationTracker tracker)
        {
            foreach (var packet in packets)
            {
                tracker.Add(in packet);
                while (tracker.TryTakeFinished(out var summary))
                {
                    yield return summary;
                }
            }

            tracker.Flush();
            while (tracker.TryTakeFinished(out var summary))
            {
                yield return summary;
            }
        }
    }

    /// <summary>Adds one packet. Conversations that end as a result are queued for <see cref="DrainFinished"/>.</summary>
    [MethodImpl(Compile.Hot)]
    public void Add(in TcpPacket packet)
    {
        var key = FlowKey.Of(in packet, out var sender);
        AddKeyed(in packet, in key, key.Hash(), sender);
    }

    /// <summary>Adds one packet whose flow key, its hash and the sender's side the caller already has.</summary>
    [MethodImpl(Compile.Hot)]
    internal void AddKeyed(in TcpPacket packet, in FlowKey key, uint hash, int sender)
    {
        PacketsSeen++;
        var ts = packet.TimestampNs;
        if (ts > _nowNs)
        {
            _nowNs = ts;
            if (ts > _dueNs)
            {
                ExpireDue();
            }
        }

        var slot = _table.Find(in key, hash);
        if (slot < 0)
        {
            slot = StartConversation(in key, hash, sender, in packet);
            if (_table.Count > _maxConversations)
            {
                EvictOldest(slot);
            }
        }
        else if ((packet.Flags & TcpFlags.Syn) != 0 && _table[slot].Zeek.IsReuse(in packet))
        {
            Reused++;
            Unlink(slot);
            Emit(slot, TrackingEnd.PortReused, EmitOrder.ReuseStep);
            slot = StartConversation(in key, hash, sender, in packet);
        }

        ref var conversation = ref _table[slot];
        conversation.Add(sender, in packet, _table.Resets);
        if (conversation.Zeek.HistoryPending)
        {
            _table.MoveLongHistory(slot);
        }

        if (!conversation.Lingering) // a lingering one's deadline was fixed when it finished
        {
            if (conversation.Zeek.Finished)
            {
                Unlink(slot);
                conversation.Lingering = true;
                Append(ref _lingering, slot);
            }
            else if (slot == _active.Tail)
            {
                conversation.ListTimeNs = _nowNs;
                conversation.ListSequence = _sequence;
            }
            else
            {
                Unlink(slot);
                Append(ref _active, slot);
            }
        }

        GC.KeepAlive(this); // the slot's memory is the table's, freed with it: kept until the ref is no longer used
    }

    /// <summary>
    /// A packet with this flow-key hash comes soon (the caller saw it a few packets ahead): asks the processor for its
    /// conversation's memory now, so that the miss is taken while other packets are tracked. Only a hint.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Prefetch(uint hash) => _table.Prefetch(hash);

    /// <summary>Takes every summary emitted so far, oldest first.</summary>
    public IEnumerable<ConversationSummary> DrainFinished()
    {
        while (_finished.TryDequeue(out var summary))
        {
            yield return summary;
        }
    }

    /// <summary>Takes the oldest emitted summary, if any.</summary>
    public bool TryTakeFinished([NotNullWhen(true)] out ConversationSummary? summary) => _finished.TryDequeue(out summary);

    /// <summary>
    /// Capture time moved on to <paramref name="timestampNs"/> with packet number <paramref name="sequence"/>, which
    /// another tracker may be tracking: conversations due expire as if this tracker had seen the packet. The driver
    /// calls it for every packet of the capture, in order, before <see cref="Add"/> when the packet is this
    /// tracker's. Only for a tracker created ordered.
    /// </summary>
    internal void Advance(long timestampNs, long sequence)
    {
        _sequence = sequence;
        if (timestampNs > _nowNs)
        {
            _nowNs = timestampNs;
            if (timestampNs > _dueNs)
            {
                ExpireDue();
            }
        }
    }

    /// <summary>Takes the oldest emitted summary with its place in the combined order (ordered trackers only).</summary>
    internal bool TryTakeFinished([NotNullWhen(true)] out ConversationSummary? summary, out EmitOrder order)
    {
        if (_finished.TryDequeue(out summary))
        {
            order = _orders!.Dequeue();
            return true;
        }

        order = default;
        return false;
    }

    /// <summary>
    /// The input ended: emits every conversation still tracked, in the order of their first packets
    /// (<see cref="TrackingEnd.Finished"/> for those that had finished, <see cref="TrackingEnd.EndOfInput"/> for the rest).
    /// </summary>
    public void Flush()
    {
        BeginFlush();
        while (FlushSome(int.MaxValue))
        {
        }
    }

    /// <summary>
    /// The input ended: puts every conversation still tracked in the order of their first packets, for
    /// <see cref="FlushSome"/> to emit a few at a time (so that the first can be written while the rest are built).
    /// Nothing may be added until the last is emitted.
    /// </summary>
    [MethodImpl(Compile.Hot)]
    internal void BeginFlush()
    {
        var count = _table.Count;
        var firstFrames = new long[count];
        var slots = new int[count];
        var n = 0;
        for (var slot = 0; slot < _table.SlotsCreated; slot++)
        {
            if (_table.IsLive(slot))
            {
                firstFrames[n] = _table[slot].FirstFrame;
                slots[n++] = slot;
            }
        }

        // Stable: conversations whose first frames are equal stay in slot order for OrderSameFrameRuns.
        RadixSort.Sort(firstFrames, slots);
        OrderSameFrameRuns(firstFrames, slots);
        _flushSlots = slots;
        _flushNext = 0;
    }

    /// <summary>
    /// Emits up to <paramref name="max"/> more of the conversations <see cref="BeginFlush"/> ordered; false once all
    /// are, and the tracker is empty.
    /// </summary>
    [MethodImpl(Compile.Hot)]
    internal bool FlushSome(int max)
    {
        var slots = _flushSlots!;
        var end = (int)Math.Min(slots.Length, (long)_flushNext + max);
        for (var i = _flushNext; i < end; i++)
        {
            if (i + FlushPrefetchDistance < slots.Length)
            {
                _table.PrefetchSlot(slots[i + FlushPrefetchDistance]); // a cold slot each, read whole for its summary
            }

            var slot = slots[i];
            ref var c = ref _table[slot];
            var ended = c.Lingering ? TrackingEnd.Finished : TrackingEnd.EndOfInput;
            _orders?.Enqueue(EmitOrder.AtEnd(c.FirstFrame));
            _finished.Enqueue(SummaryBuilder.Build(_table, slot, _histories, ended));
            Emitted++;
        }

        _flushNext = end;
        if (end < slots.Length)
        {
            return true;
        }

        _flushSlots = null;
        _table.Clear();
        _active = ListEnds.Empty;
        _lingering = ListEnds.Empty;
        _dueNs = long.MinValue;
        return false;
    }

    /// <summary>
    /// Frame numbers repeat only when packets were numbered by the caller: conversations whose first packets share
    /// one are ordered by the time of their first packet, then by slot, so that the order is the same every run.
    /// <paramref name="slots"/> is sorted by <paramref name="firstFrames"/>, which it matches entry for entry.
    /// </summary>
    private void OrderSameFrameRuns(long[] firstFrames, int[] slots)
    {
        for (var start = 0; start < firstFrames.Length;)
        {
            var end = start + 1;
            while (end < firstFrames.Length && firstFrames[end] == firstFrames[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                slots.AsSpan(start, end - start).Sort((a, b) =>
                {
                    var byTime = _table[a].FirstNs.CompareTo(_table[b].FirstNs);
                    return byTime != 0 ? byTime : a.CompareTo(b);
                });
            }

            start = end;
        }
    }

    [MethodImpl(Compile.Hot)]
    private int StartConversation(in FlowKey key, uint hash, int sender, in TcpPacket packet)
    {
        var slot = _table.Add(hash);
        _table[slot].Start(in key, hash, sender, in packet);
        Append(ref _active, slot);
        return slot;
    }

    [MethodImpl(Compile.Hot)]
    private void ExpireDue()
    {
        while (_lingering.Head is var done and >= 0 && _nowNs - _table[done].ListTimeNs > _lingerNs)
        {
            Unlink(done);
            Emit(done, TrackingEnd.Finished, EmitOrder.LingerStep);
        }

        while (_active.Head is var idle and >= 0 && _nowNs - _table[idle].ListTimeNs > _inactivityNs)
        {
            Unlink(idle);
            Expired++;
            Emit(idle, TrackingEnd.InactivityTimeout, EmitOrder.IdleStep);
        }

        _dueNs = Math.Min(DueAfter(_lingering.Head, _lingerNs), DueAfter(_active.Head, _inactivityNs));

        // The finished conversation after the head is the next but one to go out: its slot (cold by now, as it
        // finished a while ago) is asked for here, to arrive before its summary is built.
        if (_lingering.Head >= 0 && _table.Link(_lingering.Head).Next is var next and >= 0)
        {
            _table.PrefetchSlot(next);
        }
    }

    /// <summary>
    /// The capture time up to which a list whose head is <paramref name="head"/> has nothing due: a head that came
    /// later cannot be due sooner, as lists are in time order. A negative list time gives long.MinValue (look at every
    /// new capture time: the subtraction ExpireDue makes could then overflow).
    /// </summary>
    private long DueAfter(int head, long timeoutNs)
    {
        if (head < 0)
        {
            return long.MaxValue;
        }

        var listTime = _table[head].ListTimeNs;
        return listTime < 0 ? long.MinValue : listTime > long.MaxValue - timeoutNs ? long.MaxValue : listTime + timeoutNs;
    }

    private void EvictOldest(int justAdded)
    {
        // A finished conversation loses least by leaving early (only late packets); then the one idle longest.
        var victim = _lingering.Head >= 0 ? _lingering.Head : (_active.Head != justAdded ? _active.Head : -1);
        if (victim < 0)
        {
            return;
        }

        Unlink(victim);
        Evicted++;
        Emit(victim, _table[victim].Lingering ? TrackingEnd.Finished : TrackingEnd.CapacityEvicted, EmitOrder.EvictStep);
    }

    /// <summary>Queues the conversation's summary and frees its slot; the caller has taken it out of its list.</summary>
    private void Emit(int slot, TrackingEnd ended, int step)
    {
        _finished.Enqueue(SummaryBuilder.Build(_table, slot, _histories, ended));
        _orders?.Enqueue(new EmitOrder(_sequence, step, _table[slot].ListSequence));
        Emitted++;
        _table.Remove(slot);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Append(ref ListEnds list, int slot)
    {
        _table[slot].ListTimeNs = _nowNs;
        _table[slot].ListSequence = _sequence;
        ref var link = ref _table.Link(slot);
        link.Prev = list.Tail;
        link.Next = -1;
        if (list.Tail < 0)
        {
            list.Head = slot;
            _dueNs = long.MinValue; // a new head: look again at the next new capture time
        }
        else
        {
            _table.Link(list.Tail).Next = slot;
        }

        list.Tail = slot;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Unlink(int slot)
    {
        ref var list = ref _table[slot].Lingering ? ref _lingering : ref _active;
        ref var link = ref _table.Link(slot);
        if (link.Prev < 0)
        {
            list.Head = link.Next;
        }
        else
        {
            _table.Link(link.Prev).Next = link.Next;
        }

        if (link.Next < 0)
        {
            list.Tail = link.Prev;
        }
        else
        {
            _table.Link(link.Next).Prev = link.Prev;
        }
    }

    /// <summary>The first and last slot of a list, -1 when empty.</summary>
    private struct ListEnds
    {
        public int Head;
        public int Tail;

        public static ListEnds Empty => new() { Head = -1, Tail = -1 };
    }
}
