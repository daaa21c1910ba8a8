using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// What Zeek's TCP analyser keeps per endpoint (TCP_Endpoint): the state, the sequence space it derives byte counts
/// from (what every packet updates, 32 bytes; the state behind its history letters is a
/// <see cref="ZeekEndpointLetters"/>).
/// </summary>
internal struct ZeekEndpoint
{
    /// <summary>Signed 64 bits, as in Zeek, so a start just below a wrap stays comparable.</summary>
    public long StartSeq;
    public uint LastSeq;
    public uint AckSeq;
    public uint SeqWraps;
    public uint AckWraps;
    public ZeekEndpointState State;
    public ZeekEndpointState PrevState;
    public bool DidClose;

    /// <summary>A FIN was seen (Zeek counts them; only "any" matters).</summary>
    public bool SawFin;

    public readonly uint StartSeq32 => (uint)StartSeq;

    public void SetState(ZeekEndpointState state)
    {
        if (state != State)
        {
            PrevState = State;
            State = state;
        }
    }

    public void UpdateLastSeq(uint seq)
    {
        if (seq < LastSeq)
        {
            SeqWraps++;
        }

        LastSeq = seq;
    }

    public void UpdateAckSeq(uint seq)
    {
        if (seq < AckSeq)
        {
            AckWraps++;
        }

        AckSeq = seq;
    }

    /// <summary>None of this endpoint's data acknowledged (one octet allowed, for the SYN).</summary>
    public readonly bool NoDataAcked
    {
        get
        {
            var ack = ((ulong)AckWraps << 32) + AckSeq;
            var start = unchecked((ulong)StartSeq);
            return ack == start || ack == start + 1;
        }
    }

    /// <summary>
    /// Payload bytes from the sequence space, as Zeek's TCP_Endpoint::Size computes them (the conn.log byte
    /// counts). Deviation: a result that could only come from an untrustworthy start (above 2^62) is reported as 0
    /// instead of Zeek's wrapped-around value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ulong Size(in ZeekEndpoint peer)
    {
        if (PrevState == ZeekEndpointState.SynSent && State == ZeekEndpointState.Reset
            && peer.State == ZeekEndpointState.Inactive && !NoDataAcked)
        {
            // A half-open connection discovered and aborted: its sequence numbers say nothing about data.
            return 0;
        }

        var last = ((ulong)SeqWraps << 32) + LastSeq;
        var ack = ((ulong)AckWraps << 32) + AckSeq;
        var start = unchecked((ulong)StartSeq);
        var size = unchecked(last > ack ? last - start : ack - start);
        if (size != 0)
        {
            size--; // the SYN's octet
        }

        if (SawFin && size != 0)
        {
            size--; // the FIN's octet
        }

        return size > (1UL << 62) ? 0 : size;
    }
}
