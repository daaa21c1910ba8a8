using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Linger.Wire;

namespace Linger.Flows.Internal;

/// <summary>
/// Zeek's view of one TCP connection, replayed packet by packet: which side is the originator, each endpoint's state,
/// and the history string. It follows Zeek's TCP analyser (TCPSessionAdapter::Process and its Update*State
/// functions, TCP_Endpoint, Connection::CheckHistory / ScaledHistoryEntry / FlipRoles, TCPAnalyzer::WantConnection,
/// TCPSessionAdapter::IsReuse) so that conn_state and history come out as Zeek writes them.
/// </summary>
/// <remarks>
/// Deliberate deviations: no reassembly, so a close is never deferred for pending data; no bad-checksum ('c') or
/// content-gap ('g') letters (checksums are not verified, gaps are not tracked); timers are replaced by the
/// tracker's linger and inactivity timeout, so an unanswered SYN is one conversation however long it is retried
/// (Zeek logs a new S0 connection after its 5-second <c>tcp_attempt_delay</c>), an idle connection is kept for the
/// tracker's inactivity timeout (1 hour by default; Zeek's is 5 minutes), and a partial connection whose first
/// packet from one side was a FIN is not cut off after Zeek's 3-second <c>tcp_partial_close_delay</c>. The history is
/// capped at <see cref="ZeekHistory.MaxLength"/> letters. A struct held inside its conversation's slot: no object per
/// connection.
/// </remarks>
internal struct ZeekConnection
{
    /// <summary>Zeek's TOO_LARGE_SEQ_DELTA: sequence jumps beyond this on a SYN or RST are not trusted.</summary>
    private const int TooLargeSeqDelta = 1048576;

    // hist_seen masks (TCP_Endpoint.h); the responder's are shifted left by 16.
    private const uint HistSynPacket = 0x1;
    private const uint HistFinPacket = 0x2;
    private const uint HistRstPacket = 0x4;
    private const uint HistFinRstPacket = 0x8;
    private const uint HistDataPacket = 0x10;
    private const uint HistAckPacket = 0x20;
    private const uint HistMultiFlagPacket = 0x40;

    private uint _histSeen;

    private byte _origSide;

    /// <summary>
    /// True once Zeek would consider the connection over: a RST, both sides' FINs, or a FIN while the other side was
    /// silent (ConnectionClosed with close_complete, or the RST after a FIN that arms Zeek's reset timer).
    /// </summary>
    public bool Finished { get; private set; }

    /// <summary>History letters past the inline ones wait to be moved out (<see cref="TakePendingHistory"/>).</summary>
    public bool HistoryPending { get; private set; }

    // What every packet touches first, then what only some do.
    private ZeekEndpoint _side0;
    private ZeekEndpoint _side1;
    private ZeekEndpointLetters _letters0;
    private ZeekEndpointLetters _letters1;
    private ZeekHistory _history;

    /// <summary>The side (0 or 1 of the flow key) Zeek calls the originator.</summary>
    public readonly int OrigSide => _origSide;

    [UnscopedRef]
    public ref ZeekEndpoint Endpoint(int side) => ref side == 0 ? ref _side0 : ref _side1;

    [UnscopedRef]
    public ref ZeekEndpoint Orig => ref Endpoint(OrigSide);

    [UnscopedRef]
    public ref ZeekEndpoint Resp => ref Endpoint(1 - OrigSide);

    /// <summary>The history letters; the owner moves those past the inline ones out after every packet.</summary>
    [UnscopedRef]
    public ref ZeekHistory History => ref _history;

    /// <summary>Moves the pending history letters into <paramref name="destination"/>; returns how many.</summary>
    public int TakePendingHistory(Span<byte> destination)
    {
        HistoryPending = false;
        return _history.TakePending(destination);
    }

    /// <summary>
    /// Starts a connection from its first packet. Like TCPAnalyzer::WantConnection, a first packet that is not a plain
    /// SYN makes the sender the originator unless its source port is a likely server port and the destination port
    /// is not (with both likely: only a non-SYN packet towards a higher port flips); a flip is recorded as '^'.
    /// The caller has zeroed the connection (it is part of a conversation's slot, zeroed as a whole).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StartZeroed(int senderSide, in TcpPacket first)
    {
        _letters0.StartZeroed();
        _letters1.StartZeroed();
        _origSide = (byte)senderSide;

        var flags = first.Flags;
        var syn = (flags & TcpFlags.Syn) != 0;
        if (!syn || (flags & TcpFlags.Ack) != 0)
        {
            var flip = false;
            if (LikelyServerPorts.Contains(first.SourcePort))
            {
                flip = LikelyServerPorts.Contains(first.DestinationPort)
                    ? !syn && first.SourcePort < first.DestinationPort
                    : true;
            }

            if (flip)
            {
                FlipRoles();
            }
        }
    }

    /// <summary>
    /// TCPSessionAdapter::IsReuse: whether this packet, for an existing connection, starts a new one instead. Only
    /// SYNs do: any SYN once either side has closed or reset; before that, a SYN whose sequence number differs from
    /// the originator's initial one (a SYN-ACK only when the originator is still silent).
    /// </summary>
    [MethodImpl(Compile.Hot)]
    public bool IsReuse(in TcpPacket packet)
    {
        var flags = packet.Flags;
        if ((flags & TcpFlags.Syn) == 0)
        {
            return false;
        }

        var connOrigSide = OrigSide;
        var ack = (flags & TcpFlags.Ack) != 0;
        if (ack)
        {
            if (Orig.State != ZeekEndpointState.Inactive)
            {
                return false;
            }

            connOrigSide = 1 - OrigSide;
        }

        if (_side0.DidClose || _side1.DidClose)
        {
            return true;
        }

        var seq = packet.Sequence;
        ref var connOrig = ref Endpoint(connOrigSide);
        if (seq == connOrig.StartSeq32)
        {
            return false;
        }

        // A SYN after its own SYN-ACK (two capture interfaces, reordered): the flip case, not a reuse.
        return ack || connOrig.State != ZeekEndpointState.SynAckSent
            || Resp.State != ZeekEndpointState.Inactive || seq != Resp.StartSeq32;
    }

    /// <summary>One packet from <paramref name="side"/>: TCPSessionAdapter::Process without reassembly and events.</summary>
    [MethodImpl(Compile.Hot)]
    public void Process(int side, in TcpPacket packet)
    {
        var isOrig = side == OrigSide;
        ref var endpoint = ref Endpoint(side);
        ref var peer = ref Endpoint(1 - side);
        ref var letters = ref (side == 0 ? ref _letters0 : ref _letters1);

        var flags = packet.Flags;
        var syn = (flags & TcpFlags.Syn) != 0;
        var fin = (flags & TcpFlags.Fin) != 0;
        var rst = (flags & TcpFlags.Rst) != 0;
        var ack = (flags & TcpFlags.Ack) != 0;
        var len = packet.PayloadLength < 0 ? 0 : packet.PayloadLength;
        var baseSeq = packet.Sequence;
        var ackSeq = packet.Acknowledgment;

        var segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
        if (rst)
        {
            segLen -= len; // a RST's payload is not part of the stream
        }

        var seqOnePastSegment = unchecked(baseSeq + (uint)segLen);

        InitEndpoint(ref endpoint, syn, baseSeq, seqOnePastSegment);
        var relSeq = RelativeSeq(in endpoint, baseSeq, endpoint.LastSeq, endpoint.SeqWraps, out _);
        UpdateHistory(isOrig, ref letters, syn, fin, rst, ack, relSeq, len);

        // update_window: zero windows are boring with or after a RST, or after the peer's FIN.
        if (packet.Window == 0 && !rst && peer.State != ZeekEndpointState.Closed && endpoint.State != ZeekEndpointState.Reset)
        {
            ScaledHistoryEntry(isOrig ? 'W' : 'w', ref letters.ZeroWindowCount, ref letters.ZeroWindowThreshold);
        }

        if (fin)
        {
            endpoint.SawFin = true;
        }

        if (ack)
        {
            if (peer.State == ZeekEndpointState.Inactive)
            {
                // init_peer: number the silent side's sequence space as if its SYN had been seen.
                var start = unchecked(ackSeq - 1);
                peer.StartSeq = start;
                peer.AckSeq = start;
                peer.LastSeq = start;
            }
            else
            {
                RelativeSeq(in peer, ackSeq, peer.AckSeq, peer.AckWraps, out var ackUnderflow);
                if (!ackUnderflow && !rst)
                {
                    UpdateAckSeq(ref peer, ackSeq); // acks in RSTs are not trusted
                }
            }
        }

        UpdateLastSeq(isOrig, ref endpoint, ref letters, seqOnePastSegment, syn, fin, rst, len);
        var doClose = UpdateStateMachine(isOrig, ref endpoint, ref peer, baseSeq, len, syn, fin, rst, ack);
        if (doClose)
        {
            ConnectionClosed(ref endpoint, ref peer);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InitEndpoint(ref ZeekEndpoint endpoint, bool syn, uint firstSegSeq, uint lastSeq)
    {
        switch (endpoint.State)
        {
            case ZeekEndpointState.Inactive:
                if (syn)
                {
                    endpoint.AckSeq = firstSegSeq;
                    endpoint.StartSeq = firstSegSeq;
                }
                else
                {
                    // A partial connection: number it as if a SYN had been seen, without making the first packet
                    // look like a duplicate.
                    var start = unchecked(firstSegSeq - 1);
                    endpoint.AckSeq = start;
                    endpoint.StartSeq = start;
                    lastSeq = firstSegSeq;
                }

                endpoint.LastSeq = lastSeq;
                break;

            case ZeekEndpointState.SynSent:
            case ZeekEndpointState.SynAckSent:
                if (syn && firstSegSeq != endpoint.StartSeq32)
                {
                    Reinit(ref endpoint, firstSegSeq, lastSeq);
                }

                break;

            case ZeekEndpointState.Established:
            case ZeekEndpointState.Partial:
                if (syn)
                {
                    Reinit(ref endpoint, firstSegSeq, lastSeq);
                }

                break;

            case ZeekEndpointState.Reset:
                if (syn && endpoint.PrevState == ZeekEndpointState.Inactive)
                {
                    // The earlier RST that initialised this side may have been forged.
                    Reinit(ref endpoint, firstSegSeq, lastSeq);
                }

                break;

            default:
                break;
        }

        static void Reinit(ref ZeekEndpoint endpoint, uint firstSegSeq, uint lastSeq)
        {
            endpoint.StartSeq = firstSegSeq;
            endpoint.AckSeq = firstSegSeq;
            endpoint.LastSeq = lastSeq;
        }
    }

    /// <summary>get_relative_seq: the sequence number relative to the endpoint's start, across 32-bit wraps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RelativeSeq(in ZeekEndpoint endpoint, uint current, uint last, uint wraps, out bool underflow)
    {
        underflow = false;
        var delta = unchecked((int)(current - last));
        if (delta < 0)
        {
            if (wraps != 0 && current > last)
            {
                wraps--;
            }
        }
        else if (delta > 0 && current < last)
        {
            wraps++;
        }

        if (wraps == 0)
        {
            delta = unchecked((int)(current - endpoint.StartSeq32));
            underflow = delta < 0;
            return unchecked((ulong)(long)delta);
        }

        return unchecked(((ulong)wraps << 32) + current - (ulong)endpoint.StartSeq);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UpdateHistory(bool isOrig, ref ZeekEndpointLetters endpoint, bool syn, bool fin, bool rst, bool ack, ulong relSeq, int len)
    {
        var bitsSet = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
        if (bitsSet > 1)
        {
            if (fin && rst)
            {
                CheckHistory(isOrig, HistFinRstPacket, 'I');
            }
            else
            {
                CheckHistory(isOrig, HistMultiFlagPacket, 'Q');
            }
        }
        else if (bitsSet == 1)
        {
            // S, H, F and R are recorded again when the sequence number differs from the last one of their kind.
            if (syn)
            {
                var code = ack ? 'H' : 'S';
                if (CheckHistory(isOrig, HistSynPacket, code) && relSeq != endpoint.HistLastSyn)
                {
                    AddHistory(isOrig, code);
                }

                endpoint.HistLastSyn = relSeq;
            }

            if (fin)
            {
                // A FIN's sequence number comes after the data it carries.
                var finSeq = unchecked(relSeq + (ulong)len);
                if (CheckHistory(isOrig, HistFinPacket, 'F') && finSeq != endpoint.HistLastFin)
                {
                    AddHistory(isOrig, 'F');
                }

                endpoint.HistLastFin = finSeq;
            }

            if (rst)
            {
                if (CheckHistory(isOrig, HistRstPacket, 'R') && relSeq != endpoint.HistLastRst)
                {
                    AddHistory(isOrig, 'R');
                }

                endpoint.HistLastRst = relSeq;
            }
        }
        else if (len != 0)
        {
            CheckHistory(isOrig, HistDataPacket, 'D');
        }
        else if (ack)
        {
            CheckHistory(isOrig, HistAckPacket, 'A');
        }
    }

    private static void UpdateAckSeq(ref ZeekEndpoint endpoint, uint ackSeq)
    {
        var deltaAck = unchecked((int)(ackSeq - endpoint.AckSeq));
        if (ackSeq == 0 && deltaAck > TooLargeSeqDelta)
        {
            // More likely a broken ack than a large connection landing on 0.
            return;
        }

        if (deltaAck > 0)
        {
            endpoint.UpdateAckSeq(ackSeq);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UpdateLastSeq(bool isOrig, ref ZeekEndpoint endpoint, ref ZeekEndpointLetters letters, uint lastSeq, bool syn, bool fin, bool rst, int len)
    {
        var deltaLast = unchecked((int)(lastSeq - endpoint.LastSeq));
        if ((syn || rst) && (deltaLast > TooLargeSeqDelta || deltaLast < -TooLargeSeqDelta))
        {
            // Outlandish sequence numbers on a SYN or RST are not trusted.
        }
        else if (fin && endpoint.LastSeq == unchecked(endpoint.StartSeq32 + 1))
        {
            // Only the SYN and the FIN seen (> 2 GB connections): take the FIN's even if it looks older.
            endpoint.UpdateLastSeq(lastSeq);
        }
        else if (endpoint.State == ZeekEndpointState.Reset)
        {
            // Nothing after a RST is trusted.
        }
        else if (deltaLast > 0)
        {
            endpoint.UpdateLastSeq(lastSeq);
        }
        else if (len > 0)
        {
            ScaledHistoryEntry(isOrig ? 'T' : 't', ref letters.RetransmitCount, ref letters.RetransmitThreshold);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool UpdateStateMachine(
        bool isOrig, ref ZeekEndpoint endpoint, ref ZeekEndpoint peer, uint baseSeq, int len, bool syn, bool fin, bool rst, bool ack)
    {
        switch (endpoint.State)
        {
            case ZeekEndpointState.Inactive:
                return UpdateInactiveState(isOrig, ref endpoint, ref peer, baseSeq, len, syn, fin, rst, ack);

            case ZeekEndpointState.SynSent:
            case ZeekEndpointState.SynAckSent:
                return UpdateSynSentState(ref endpoint, fin, rst);

            case ZeekEndpointState.Established:
            case ZeekEndpointState.Partial:
                return UpdateEstablishedState(ref endpoint, ref peer, syn, fin, rst, ack);

            case ZeekEndpointState.Closed:
                return UpdateClosedState(ref endpoint, ref peer, rst);

            default:
                return false; // RESET: only weirds
        }
    }

    [MethodImpl(Compile.Hot)]
    private bool UpdateInactiveState(
        bool isOrig, ref ZeekEndpoint endpoint, ref ZeekEndpoint peer, uint baseSeq, int len,
        bool syn, bool fin, bool rst, bool ack)
    {
        var doClose = false;
        if (syn)
        {
            if (isOrig)
            {
                endpoint.SetState(ack ? ZeekEndpointState.SynAckSent : ZeekEndpointState.SynSent);
            }
            else
            {
                if (!ack && peer.State == ZeekEndpointState.SynAckSent && baseSeq == endpoint.StartSeq32)
                {
                    // The SYN arrived after its own SYN-ACK: swap the roles and call it established.
                    FlipRoles();
                    peer.SetState(ZeekEndpointState.Established);
                }

                if (peer.State == ZeekEndpointState.SynSent)
                {
                    peer.SetState(ZeekEndpointState.Established);
                }

                endpoint.SetState(ZeekEndpointState.Established);
            }
        }

        if (fin)
        {
            endpoint.SetState(ZeekEndpointState.Closed);
            doClose = true;
        }

        if (rst)
        {
            endpoint.SetState(ZeekEndpointState.Reset);
            doClose = true;
        }

        if (endpoint.State == ZeekEndpointState.Inactive)
        {
            // No control flags changed the state (TCPSessionAdapter::UpdateInactiveState's last block).
            if (!isOrig && len == 0 && Orig.State == ZeekEndpointState.SynSent)
            {
                // Some stacks ack an initial SYN before answering it: not a partial connection.
            }
            else if (ack && peer.State == ZeekEndpointState.Established)
            {
                // A SYN-ACK from the responder, then this pure ACK: the SYN was just missed.
                endpoint.SetState(ZeekEndpointState.Established);
            }
            else
            {
                endpoint.SetState(ZeekEndpointState.Partial);
            }
        }

        return doClose;
    }

    private static bool UpdateSynSentState(ref ZeekEndpoint endpoint, bool fin, bool rst)
    {
        var doClose = false;
        if (fin)
        {
            endpoint.SetState(ZeekEndpointState.Closed);
            doClose = true;
        }

        if (rst)
        {
            endpoint.SetState(ZeekEndpointState.Reset);
            doClose = true;
        }

        return doClose;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool UpdateEstablishedState(ref ZeekEndpoint endpoint, ref ZeekEndpoint peer, bool syn, bool fin, bool rst, bool ack)
    {
        var doClose = false;
        if (syn && endpoint.State == ZeekEndpointState.Partial && peer.State == ZeekEndpointState.Inactive && !ack)
        {
            endpoint.SetState(ZeekEndpointState.SynSent);
        }

        if (fin && !rst)
        {
            endpoint.SetState(ZeekEndpointState.Closed);
            if (peer.State == ZeekEndpointState.Reset && peer.PrevState == ZeekEndpointState.Closed)
            {
                // The peer's FIN then RST was a normal termination after all.
                peer.SetState(ZeekEndpointState.Closed);
            }

            doClose = true;
        }

        if (rst)
        {
            endpoint.SetState(ZeekEndpointState.Reset);
            doClose = true;
        }

        return doClose;
    }

    private bool UpdateClosedState(ref ZeekEndpoint endpoint, ref ZeekEndpoint peer, bool rst)
    {
        // After both FINs a RST changes nothing; after only ours it is a reset (Zeek arms its reset timer).
        if (rst && peer.State != ZeekEndpointState.Closed)
        {
            endpoint.SetState(ZeekEndpointState.Reset);
            Finished = true;
            return !endpoint.DidClose;
        }

        return false;
    }

    private void ConnectionClosed(ref ZeekEndpoint endpoint, ref ZeekEndpoint peer)
    {
        if (endpoint.DidClose)
        {
            return;
        }

        endpoint.DidClose = true;
        if (endpoint.State == ZeekEndpointState.Reset || peer.DidClose || peer.State == ZeekEndpointState.Inactive)
        {
            Finished = true;
        }
    }

    private void FlipRoles()
    {
        _origSide = (byte)(1 - _origSide);
        Append('^');
    }

    /// <summary>Connection::CheckHistory: adds the letter the first time; true when it had been seen before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool CheckHistory(bool isOrig, uint mask, char code)
    {
        if (!isOrig)
        {
            mask <<= 16;
            code = Lower(code);
        }

        if ((_histSeen & mask) == 0)
        {
            _histSeen |= mask;
            Append(code);
            return false;
        }

        return true;
    }

    private void AddHistory(bool isOrig, char code) => Append(isOrig ? code : Lower(code));

    /// <summary>The responder's letter for an originator's (every code is an ASCII capital; no culture tables).</summary>
    private static char Lower(char code) => (char)(code | 0x20);

    /// <summary>Connection::ScaledHistoryEntry: the letter again at 1, 10, 100, ... occurrences.</summary>
    private void ScaledHistoryEntry(char code, ref uint counter, ref uint threshold)
    {
        if (++counter == threshold)
        {
            Append(code);
            var next = unchecked(threshold * 10);
            if (next <= threshold)
            {
                counter = 0; // wrapped around: keep the threshold
            }
            else
            {
                threshold = next;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Append(char code)
    {
        _history.Append(code);

        // Kept here, beside the state every packet reads, so the owner's check after each packet costs no extra
        // cache line.
        HistoryPending |= _history.HasPending;
    }
}
