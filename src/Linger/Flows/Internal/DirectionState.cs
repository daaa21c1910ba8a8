using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// Everything Linger tracks about the packets one side sent: when its handshake, FIN, RST and last data came (as
/// packet positions within the conversation), the TTL / hop limit and IP ID of its packets, and what it acknowledged
/// and advertised. (Wireshark's state for the direction is a <see cref="WiresharkFlow"/> beside it.) Fields ordered
/// by size: 104 bytes.
/// </summary>
internal struct DirectionState
{
    public long Packets;

    /// <summary>The IP lengths of this side's packets, added up (Zeek's orig_ip_bytes / resp_ip_bytes).</summary>
    public long IpBytes;

    /// <summary>Position (0-based, within the conversation) of this side's first plain SYN, or -1.</summary>
    public long SynOrder;

    /// <summary>Position of this side's first SYN-ACK, or -1.</summary>
    public long SynAckOrder;

    /// <summary>Position of this side's first FIN, or -1.</summary>
    public long FinOrder;

    /// <summary>Position of this side's first RST, or -1.</summary>
    public long RstOrder;

    /// <summary>Position of this side's first ACK that is neither a SYN nor a RST, or -1.</summary>
    public long AckOrder;

    /// <summary>Position of this side's most recent segment with payload (not a RST), or -1.</summary>
    public long LastPayloadOrder;

    /// <summary>The silence (ns) before that segment.</summary>
    public long LastPayloadGapNs;

    public long LastNonRstNs;

    /// <summary>The highest acknowledgment number this side sent: what it expects next from the other side.</summary>
    public uint HighestAck;

    public uint LastRstSeq;

    // TTL / hop limit of the side's packets other than RSTs (RSTs are what is being judged).
    public int TtlCount;

    /// <summary>The window this side last advertised, as carried (unscaled).</summary>
    public ushort LastWindow;

    // IPv4 identification of the side's packets other than RSTs.
    public ushort LastIpId;

    /// <summary>How many there were, counted up to 255: the rules only ask whether there were a few.</summary>
    public byte IpIdCount;

    public byte TtlMin;
    public byte TtlMax;
    public bool HasAck;

    /// <summary>Every step between consecutive IP IDs was a small increase: a counter, not random.</summary>
    public bool IpIdSequential;

    public bool NonRstSinceRst;

    /// <summary>Sets the fields whose initial value is not zero; the caller zeroed the whole state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StartZeroed()
    {
        SynOrder = -1;
        SynAckOrder = -1;
        FinOrder = -1;
        RstOrder = -1;
        AckOrder = -1;
        LastPayloadOrder = -1;
        TtlMin = byte.MaxValue;
        IpIdSequential = true;
    }

    /// <summary>The receive window in bytes this side last offered, scaled when the scale is known.</summary>
    /// <param name="winScale">The side's window scale as Wireshark tracks it (<see cref="WiresharkFlow.WinScale"/>).</param>
    public readonly ulong WindowBytesUpperBound(int winScale)
    {
        // Unknown scale (no SYN seen): assume the largest, so an unknown window never makes a RST look forged.
        var shift = winScale switch
        {
            -1 => 14,
            -2 => 0,
            var s => Math.Min(s, 14),
        };
        return (ulong)LastWindow << shift;
    }
}
