using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Linger.Wire;

namespace Linger.Flows.Internal;

/// <summary>
/// One TCP conversation being tracked: both directions' state (Linger's, Wireshark's, Zeek's), updated per packet
/// without allocating. A plain struct living in a slot of the <see cref="ConversationTable"/>, so that a capture's
/// hundreds of thousands of conversations are neither objects for the GC to trace nor pointers to chase.
/// </summary>
internal struct Conversation
{
    // Fields in the order a packet touches them, so that a packet touches few cache lines: the key, list time and
    // what every packet updates; both directions' Wireshark state; both sides' Linger state; Zeek's state (its
    // rarely touched part last); then what only the first packet, a SYN, a RST, an analysis event or the summary
    // needs. The reset evidence itself is kept apart, in the ResetEvidenceStore: few conversations need it.
    public FlowKey Key;

    /// <summary>When the tracker put it at the end of its list (capture time): its last packet, or when it finished.</summary>
    public long ListTimeNs;

    /// <summary>
    /// The number of the packet at which the tracker put it at the end of its list, when the tracker is told packet
    /// numbers (<see cref="ConversationTracker.Advance"/>): orders lists of several trackers as one list.
    /// </summary>
    public long ListSequence;

    public long Packets;
    public long LastNs;
    public long MaxGapNs;

    /// <summary>Wireshark's handshake RTT (most recent SYN to the first ACK), for its out-of-order test.</summary>
    public long FirstRttNs;
    public long MostRecentSynNs;

    /// <summary>Finished (both sides closed, or a RST) and waiting out the linger for late packets.</summary>
    public bool Lingering;

    public sbyte FirstSynSide;
    public sbyte FirstSynAckSide;
    public sbyte FirstSender;

    private WiresharkFlow _wireshark0;
    private WiresharkFlow _wireshark1;
    private DirectionState _side0;
    private DirectionState _side1;

    public ZeekConnection Zeek;

    public long FirstNs;
    public long FirstFrame;

    /// <summary>The key's hash, kept for the table to find the slot again when it removes it.</summary>
    public uint KeyHash;

    public int Retransmissions;
    public int FastRetransmissions;
    public int DuplicateAcks;
    public int ZeroWindows;
    public int WindowFull;
    public int KeepAlives;
    public int OutOfOrder;

    /// <summary>This conversation's record in the <see cref="ResetEvidenceStore"/>, or 0 before its first RST.</summary>
    public int ResetId;

    [UnscopedRef]
    public ref DirectionState Side(int side) => ref side == 0 ? ref _side0 : ref _side1;

    [UnscopedRef]
    public ref WiresharkFlow Wireshark(int side) => ref side == 0 ? ref _wireshark0 : ref _wireshark1;

    /// <summary>Starts the conversation with its first packet, forgetting whatever the slot held before.</summary>
    [MethodImpl(Compile.Hot)]
    public void Start(in FlowKey key, uint keyHash, int sender, in TcpPacket first)
    {
        // One block clear of the whole slot, then only the fields that do not start at zero.
        this = default;
        Key = key;
        KeyHash = keyHash;
        _wireshark0.StartZeroed();
        _wireshark1.StartZeroed();
        _side0.StartZeroed();
        _side1.StartZeroed();
        FirstNs = first.TimestampNs;
        LastNs = first.TimestampNs;
        FirstFrame = first.FrameNumber;
        FirstSender = (sbyte)sender;
        FirstSynSide = -1;
        FirstSynAckSide = -1;
        Zeek.StartZeroed(sender, in first);
    }

    /// <summary>Adds one packet sent by <paramref name="sender"/>.</summary>
    /// <param name="sender">The side (of the flow key) that sent it.</param>
    /// <param name="packet">The packet.</param>
    /// <param name="resets">Where the reset evidence goes.</param>
    [MethodImpl(Compile.Hot)]
    public void Add(int sender, in TcpPacket packet, ResetEvidenceStore resets)
    {
        var ts = packet.TimestampNs;
        var order = Packets++;
        long gapNs = 0;
        if (order > 0)
        {
            gapNs = ts - LastNs;
            if (gapNs < 0)
            {
                gapNs = 0; // a capture merged from several interfaces can step back a little
            }
            else
            {
                LastNs = ts;
            }

            if (gapNs > MaxGapNs)
            {
                MaxGapNs = gapNs;
            }
        }

        ref var me = ref Side(sender);
        ref var peer = ref Side(1 - sender);
        var flags = packet.Flags;
        var syn = (flags & TcpFlags.Syn) != 0;
        var ack = (flags & TcpFlags.Ack) != 0;

        // Wireshark's first RTT: from the most recent SYN to the first ACK without SYN.
        if (syn && !ack)
        {
            MostRecentSynNs = ts;
        }
        else if (ack && !syn && FirstRttNs == 0 && MostRecentSynNs != 0)
        {
            FirstRttNs = Math.Max(1, ts - MostRecentSynNs);
        }

        Count(WiresharkAnalysis.Analyze(ref Wireshark(sender), ref Wireshark(1 - sender), in packet, FirstRttNs));
        Zeek.Process(sender, in packet);
        Observe(sender, ref me, ref peer, in packet, order, gapNs, resets);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Count(WiresharkAnalysisFlags f)
    {
        // tcp.analysis.retransmission is also set on fast and spurious retransmissions.
        const WiresharkAnalysisFlags AnyRetransmission = WiresharkAnalysisFlags.Retransmission
            | WiresharkAnalysisFlags.FastRetransmission | WiresharkAnalysisFlags.SpuriousRetransmission;
        const WiresharkAnalysisFlags Counted = AnyRetransmission | WiresharkAnalysisFlags.DuplicateAck
            | WiresharkAnalysisFlags.ZeroWindow | WiresharkAnalysisFlags.WindowFull | WiresharkAnalysisFlags.KeepAlive
            | WiresharkAnalysisFlags.OutOfOrder;
        if ((f & Counted) == 0)
        {
            return; // most segments: leave the counters' cache line alone
        }

        Retransmissions += (f & AnyRetransmission) != 0 ? 1 : 0;
        FastRetransmissions += (f & WiresharkAnalysisFlags.FastRetransmission) != 0 ? 1 : 0;
        DuplicateAcks += (f & WiresharkAnalysisFlags.DuplicateAck) != 0 ? 1 : 0;
        ZeroWindows += (f & WiresharkAnalysisFlags.ZeroWindow) != 0 ? 1 : 0;
        WindowFull += (f & WiresharkAnalysisFlags.WindowFull) != 0 ? 1 : 0;
        KeepAlives += (f & WiresharkAnalysisFlags.KeepAlive) != 0 ? 1 : 0;
        OutOfOrder += (f & WiresharkAnalysisFlags.OutOfOrder) != 0 ? 1 : 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Observe(
        int sender, ref DirectionState me, ref DirectionState peer, in TcpPacket packet, long order, long gapNs, ResetEvidenceStore resets)
    {
        var flags = packet.Flags;
        var syn = (flags & TcpFlags.Syn) != 0;
        var fin = (flags & TcpFlags.Fin) != 0;
        var rst = (flags & TcpFlags.Rst) != 0;
        var ack = (flags & TcpFlags.Ack) != 0;

        me.IpBytes += packet.IpLength;
        me.Packets++;

        if (syn && !ack && me.SynOrder < 0)
        {
            me.SynOrder = order;
            if (FirstSynSide < 0)
            {
                FirstSynSide = (sbyte)sender;
            }
        }
        else if (syn && ack && me.SynAckOrder < 0)
        {
            me.SynAckOrder = order;
            if (FirstSynAckSide < 0)
            {
                FirstSynAckSide = (sbyte)sender;
            }
        }

        if (ack && (!me.HasAck || unchecked((int)(packet.Acknowledgment - me.HighestAck)) > 0))
        {
            me.HighestAck = packet.Acknowledgment;
            me.HasAck = true;
        }

        me.LastWindow = packet.Window;
        if (ack && !syn && !rst && me.AckOrder < 0)
        {
            me.AckOrder = order;
        }

        if (rst)
        {
            // Judged before this packet's own FIN is recorded: a FIN+RST segment is not "FIN first".
            ObserveRst(sender, ref me, ref peer, in packet, order, gapNs, resets);
        }
        else
        {
            ObserveSender(ref me, in packet);
            // Only a side that sent a RST can be the resetter; asking it first keeps the evidence out of the cache.
            if (me.RstOrder >= 0 && resets[ResetId].Resetter == sender)
            {
                resets[ResetId].SenderPacketsAfter++;
            }

            if (packet.PayloadLength > 0)
            {
                me.LastPayloadOrder = order;
                me.LastPayloadGapNs = gapNs;
            }
        }

        if (fin && me.FinOrder < 0)
        {
            me.FinOrder = order;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ObserveSender(ref DirectionState me, in TcpPacket packet)
    {
        var ttl = packet.Ttl;
        me.TtlCount++;
        me.TtlMin = Math.Min(me.TtlMin, ttl);
        me.TtlMax = Math.Max(me.TtlMax, ttl);
        me.LastNonRstNs = packet.TimestampNs;
        me.NonRstSinceRst = true;

        // ID 0 is what Linux puts on DF packets it sends without a connected socket (the SYN-ACK, socket-less
        // RSTs): no counter value, so it neither extends nor breaks the pattern.
        if (!packet.Source.IsV6 && packet.IpId != 0)
        {
            var id = packet.IpId;
            if (me.IpIdCount > 0)
            {
                var step = (ushort)(id - me.LastIpId);
                if (step is 0 or > InjectionRule.MaxIpIdStep)
                {
                    me.IpIdSequential = false;
                }
            }

            me.LastIpId = id;
            if (me.IpIdCount < byte.MaxValue)
            {
                me.IpIdCount++;
            }
        }
    }

    /// <summary>
    /// Records a RST; the first one of the conversation becomes its reset evidence, judged from what both sides sent
    /// before it.
    /// </summary>
    /// <remarks>
    /// <para>
    /// In reply to data (the 10053 pattern): the resetter had sent its FIN and the other side's data still came
    /// after it; a stack whose application has closed answers such data with a RST. Positions are as captured, so
    /// data that crossed the FIN on the wire counts when the capture saw it after the FIN. What it leaves out, on
    /// purpose: a RST after the other side's data but without an earlier FIN from the resetter (an abort on an
    /// application timer, a close with unread data) answers nothing; neither does a RST from a host that lost the
    /// connection (restarted, or a middlebox that forgot the flow), though that data provoked it, because that host
    /// never closed. A resetter whose close the capture did not see (the capture started after its FIN) is not
    /// taken to have closed: the RST carries the sequence number the other side acknowledges either way, so the
    /// packets cannot tell, and the field says only what they show. A resetter that half-closed, read the other
    /// side's later data and then aborted for another reason also counts, as nothing tells its reads apart.
    /// </para>
    /// <para>
    /// The silence before it: the RST's own gap, or, when the other side's data provoked it (data after the
    /// resetter's FIN, or data the RST came straight after, as a restarted host or a middlebox answers the first
    /// packet after a long pause), the longer of that and the silence before that data.
    /// </para>
    /// <para>
    /// After unanswered keep-alives: the conversation had keep-alive probes, the other side's last packet was not a
    /// probe (so they were not its probes being answered), and the resetter sent something more than half a second
    /// after the other side's last packet (later than any delayed ACK, RFC 1122 4.2.3.2: so not an ACK of it)
    /// without new data since then, and no FIN: its probes, unanswered until its stack gave up and sent the RST
    /// (Linux's keep-alive timer, or TCP_USER_TIMEOUT, resets as it gives up). An application that aborts on its own
    /// while its probes go unanswered looks the same.
    /// </para>
    /// </remarks>
    [MethodImpl(Compile.Hot)]
    private void ObserveRst(
        int sender, ref DirectionState me, ref DirectionState peer, in TcpPacket packet, long order, long gapNs, ResetEvidenceStore resets)
    {
        // RFC 1122 4.2.3.2: an ACK may be delayed, but by less than half a second.
        const long MaxAckDelayNs = 500_000_000;
        if (me.RstOrder < 0)
        {
            me.RstOrder = order;
        }

        if (ResetId == 0)
        {
            var afterFin = me.FinOrder >= 0;
            var inReply = afterFin && peer.LastPayloadOrder > me.FinOrder;
            var provoked = inReply || (peer.LastPayloadOrder >= 0 && peer.LastPayloadOrder == order - 1);
            ref var senderFlow = ref Wireshark(sender);
            ref var receiverFlow = ref Wireshark(1 - sender);
            var keepAliveTimeout = KeepAlives > 0 && !afterFin
                && (receiverFlow.LastSegmentFlags & WiresharkAnalysisFlags.KeepAlive) == 0
                && me.LastNonRstNs - peer.LastNonRstNs > MaxAckDelayNs
                && senderFlow.NextSeqTimeNs <= peer.LastNonRstNs;
            ResetId = resets.Add(new ResetEvidence
            {
                Resetter = sender,
                Order = order,
                TimestampNs = packet.TimestampNs,
                Frame = packet.FrameNumber,
                Seq = packet.Sequence,
                Ttl = packet.Ttl,
                IpId = packet.IpId,
                IsV6 = packet.Source.IsV6,
                AfterFin = afterFin,
                InReplyToData = inReply,
                AfterUnansweredKeepAlives = keepAliveTimeout,
                IdleBeforeNs = provoked ? Math.Max(peer.LastPayloadGapNs, gapNs) : gapNs,
                SenderIpIdCount = me.IpIdCount,
                SenderIpIdSequential = me.IpIdSequential,
                SenderLastIpId = me.LastIpId,
                SenderLastNonRstNs = me.LastNonRstNs,
                ReceiverAckKnown = peer.HasAck,
                ReceiverNextExpected = peer.HighestAck,
                ReceiverWindowBytes = peer.WindowBytesUpperBound(receiverFlow.WinScale),
            });
        }
        else if (resets[ResetId].Resetter == sender)
        {
            ref var reset = ref resets[ResetId];
            reset.LaterRsts++;
            // A RST at exactly the sequence number the peer acknowledges answers the peer's challenge ACK (RFC 5961
            // 3.2: an in-window RST that is not exact draws an ACK, which a real stack answers with an exact RST).
            var answersChallenge = peer.HasAck && packet.Sequence == peer.HighestAck;
            if (!me.NonRstSinceRst && packet.Sequence != me.LastRstSeq && !answersChallenge)
            {
                reset.SeqJumped = true;
            }
        }

        me.LastRstSeq = packet.Sequence;
        me.NonRstSinceRst = false;
    }
}
