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

    /// <summary>Silence before the RST; when it answered data, the longer of that and the silence before the data.</summary>
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

    /// <summary>The other side's latest data came after the resetter's latest data: the RST answered it.</summary>
    public bool InReplyToData;

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
