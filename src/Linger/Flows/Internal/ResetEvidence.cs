using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// The RST that ended a conversation and what surrounded it: plain data for <see cref="InjectionRule"/> and the
/// reset fields of the summary. Filled when the RST is seen and updated by later packets while the conversation
/// lingers. Fields ordered by size: 96 bytes.
/// </summary>
internal struct ResetEvidence
{
    public long Order;
    public long TimestampNs;
    public long Frame;

    /// <summary>
    /// Silence before the RST or the packet that provoked it: when the RST answered the other side's data (data after
    /// the resetter's FIN, or data the RST came straight after), the longer of the silence before that data and the
    /// silence before the RST.
    /// </summary>
    public long IdleBeforeNs;

    // The resetter's other packets.
    public long SenderLastNonRstNs;

    // The receiver's expectations when the RST came.
    public ulong ReceiverWindowBytes;

    // After the RST.
    public long SenderPacketsAfter;

    /// <summary>The side (of the flow key) that sent the RST, or -1 when there was none.</summary>
    public int Resetter;
    public int SenderTtlCount;
    public int SenderIpIdCount;
    public int LaterRsts;
    public uint Seq;
    public uint ReceiverNextExpected;
    public ushort IpId;
    public ushort SenderLastIpId;
    public byte Ttl;
    public byte SenderTtlMin;
    public byte SenderTtlMax;
    public bool IsV6;

    /// <summary>The resetter had sent a FIN in an earlier segment.</summary>
    public bool AfterFin;

    /// <summary>
    /// The RST answered data that arrived after the resetter had closed: the other side sent data after the
    /// resetter's FIN (the 10053 pattern). The rule and the cases it cannot see are in Conversation.ObserveRst.
    /// </summary>
    public bool InReplyToData;

    /// <summary>The resetter's keep-alive probes went unanswered and its own stack gave up on the connection.</summary>
    public bool AfterUnansweredKeepAlives;

    public bool SenderIpIdSequential;
    public bool ReceiverAckKnown;
    public bool SeqJumped;

    public static ResetEvidence None
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new() { Resetter = -1, Order = -1, Frame = -1 };
    }

    public readonly bool Exists => Resetter >= 0;
}
