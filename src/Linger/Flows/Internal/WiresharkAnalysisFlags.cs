namespace Linger.Flows.Internal;

/// <summary>Wireshark's per-segment analysis flags (TCP_A_*), the ones Linger counts or needs to remember.</summary>
[Flags]
internal enum WiresharkAnalysisFlags : ushort
{
    None = 0,
    Retransmission = 0x1,
    LostPacket = 0x2,
    AckLostPacket = 0x4,
    KeepAlive = 0x8,
    DuplicateAck = 0x10,
    ZeroWindow = 0x20,
    ZeroWindowProbe = 0x40,
    ZeroWindowProbeAck = 0x80,
    KeepAliveAck = 0x100,
    OutOfOrder = 0x200,
    FastRetransmission = 0x400,
    WindowUpdate = 0x800,
    WindowFull = 0x1000,
    SpuriousRetransmission = 0x2000,
}
