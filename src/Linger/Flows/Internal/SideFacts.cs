namespace Linger.Flows.Internal;

/// <summary>
/// What the verdict needs from one side: how many packets it sent and where (0-based packet position within the
/// conversation, -1 for never) its first SYN, SYN-ACK, FIN and RST came, and its first ACK that was neither a SYN nor
/// a RST (which completes the handshake from the client).
/// </summary>
internal readonly record struct SideFacts(long Packets, long SynOrder, long SynAckOrder, long FinOrder, long RstOrder, long AckOrder = -1)
{
    public static SideFacts Of(in DirectionState d) => new(d.Packets, d.SynOrder, d.SynAckOrder, d.FinOrder, d.RstOrder, d.AckOrder);
}
