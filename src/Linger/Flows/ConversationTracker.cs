using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
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
/// emitted summary until taken). <see cref="Add"/> allocates nothing per packet; memory is allocated per conversation.
/// </remarks>
public sealed class ConversationTracker
{
    private readonly Dictionary<FlowKey, Conversation> _conversations = [];
    private readonly Queue<ConversationSummary> _finished = new();
    private readonly Stack<Conversation> _pool = new();
    private readonly long _inactivityNs;
    private readonly long _lingerNs;
    private readonly int _maxConversations;

    // Two intrusive lists, oldest first: active conversations by last packet, lingering ones by when they finished.
    private Conversation? _activeHead;
    private Conversation? _activeTail;
    private Conversation? _lingerHead;
    private Conversation? _lingerTail;
    private long _nowNs = long.MinValue;

    /// <summary>Creates a tracker.</summary>
    /// <param name="options">Timeouts and limits; defaults when null.</param>
    public ConversationTracker(ConversationTrackerOptions? options = null)
    {
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
    public int ActiveConversations => _conversations.Count;

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
    public void Add(in TcpPacket packet)
    {
        PacketsSeen++;
        var ts = packet.TimestampNs;
        if (ts > _nowNs)
        {
            _nowNs = ts;
            ExpireDue();
        }

        var key = FlowKey.Of(in packet, out var sender);
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_conversations, key, out var exists);
        var conversation = slot;
        if (!exists || conversation is null)
        {
            conversation = Rent();
            conversation.Start(key, sender, in packet);
            slot = conversation;
            Append(ref _activeHead, ref _activeTail, conversation);
            if (_conversations.Count > _maxConversations)
            {
                EvictOldest(conversation);
            }
        }
        else if ((packet.Flags & TcpFlags.Syn) != 0 && conversation.Zeek.IsReuse(in packet))
        {
            Reused++;
            Unlink(conversation);
            Emit(conversation, TrackingEnd.PortReused);
            conversation = Rent();
            conversation.Start(key, sender, in packet);
            slot = conversation; // the dictionary was not changed since the lookup, so the slot is still valid
            Append(ref _activeHead, ref _activeTail, conversation);
        }

        conversation.Add(sender, in packet);

        if (conversation.Lingering)
        {
            return; // its deadline was fixed when it finished
        }

        if (conversation.Zeek.Finished)
        {
            Unlink(conversation);
            conversation.Lingering = true;
            Append(ref _lingerHead, ref _lingerTail, conversation);
        }
        else if (conversation == _activeTail)
        {
            conversation.ListTimeNs = _nowNs;
        }
        else
        {
            Unlink(conversation);
            Append(ref _activeHead, ref _activeTail, conversation);
        }
    }

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
    /// The input ended: emits every conversation still tracked, in the order of their first packets
    /// (<see cref="TrackingEnd.Finished"/> for those that had finished, <see cref="TrackingEnd.EndOfInput"/> for the rest).
    /// </summary>
    public void Flush()
    {
        var remaining = new List<Conversation>(_conversations.Count);
        remaining.AddRange(_conversations.Values);
        remaining.Sort(static (a, b) => a.FirstFrame != b.FirstFrame ? a.FirstFrame.CompareTo(b.FirstFrame) : a.FirstNs.CompareTo(b.FirstNs));
        foreach (var c in remaining)
        {
            Unlink(c);
            _conversations.Remove(c.Key);
            Emit(c, c.Lingering ? TrackingEnd.Finished : TrackingEnd.EndOfInput);
        }
    }

    private void ExpireDue()
    {
        while (_lingerHead is { } done && _nowNs - done.ListTimeNs > _lingerNs)
        {
            Forget(done);
            Emit(done, TrackingEnd.Finished);
        }

        while (_activeHead is { } idle && _nowNs - idle.ListTimeNs > _inactivityNs)
        {
            Forget(idle);
            Expired++;
            Emit(idle, TrackingEnd.InactivityTimeout);
        }
    }

    private void EvictOldest(Conversation justAdded)
    {
        // A finished conversation loses least by leaving early (only late packets); then the one idle longest.
        var victim = _lingerHead ?? (_activeHead != justAdded ? _activeHead : null);
        if (victim is null)
        {
            return;
        }

        Forget(victim);
        Evicted++;
        Emit(victim, victim.Lingering ? TrackingEnd.Finished : TrackingEnd.CapacityEvicted);
    }

    private void Forget(Conversation c)
    {
        Unlink(c);
        _conversations.Remove(c.Key);
    }

    private void Emit(Conversation c, TrackingEnd ended)
    {
        _finished.Enqueue(SummaryBuilder.Build(c, ended));
        Emitted++;

        // Never more pooled than were tracked at once, which MaxConversations bounds: steady state allocates no
        // conversation state, only the summaries.
        _pool.Push(c);
    }

    private Conversation Rent() => _pool.TryPop(out var c) ? c : new Conversation();

    private void Append(ref Conversation? head, ref Conversation? tail, Conversation c)
    {
        c.ListTimeNs = _nowNs;
        c.Prev = tail;
        c.Next = null;
        if (tail is null)
        {
            head = c;
        }
        else
        {
            tail.Next = c;
        }

        tail = c;
    }

    private void Unlink(Conversation c)
    {
        ref var head = ref c.Lingering ? ref _lingerHead : ref _activeHead;
        ref var tail = ref c.Lingering ? ref _lingerTail : ref _activeTail;
        if (c.Prev is null)
        {
            if (head != c)
            {
                return; // not in a list
            }

            head = c.Next;
        }
        else
        {
            c.Prev.Next = c.Next;
        }

        if (c.Next is null)
        {
            tail = c.Prev;
        }
        else
        {
            c.Next.Prev = c.Prev;
        }

        c.Prev = null;
        c.Next = null;
    }
}
