using System.Runtime.CompilerServices;
using Linger.Wire;

namespace Linger.Flows.Internal;

/// <summary>
/// Both directions of a TCP 4-tuple under one key: the lower (address, port) pair is side 0, the higher side 1,
/// so a packet and its reply find the same conversation without allocating.
/// </summary>
internal readonly struct FlowKey : IEquatable<FlowKey>
{
    private FlowKey(IpAddress low, ushort lowPort, IpAddress high, ushort highPort)
    {
        Address0 = low;
        Address1 = high;
        Ports = ((uint)lowPort << 16) | highPort;
    }

    public IpAddress Address0 { get; }

    public IpAddress Address1 { get; }

    /// <summary>Both ports in one word (side 0's in the high half), so they compare and hash as one.</summary>
    private uint Ports { get; }

    public ushort Port0 => (ushort)(Ports >> 16);

    public ushort Port1 => (ushort)Ports;

    /// <summary>The key of a packet's conversation, and which side (0 or 1) sent the packet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FlowKey Of(in TcpPacket packet, out int senderSide)
    {
        var src = packet.Source;
        var dst = packet.Destination;
        var c = src.CompareTo(dst);
        if (c < 0 || (c == 0 && packet.SourcePort <= packet.DestinationPort))
        {
            senderSide = 0;
            return new FlowKey(src, packet.SourcePort, dst, packet.DestinationPort);
        }

        senderSide = 1;
        return new FlowKey(dst, packet.DestinationPort, src, packet.SourcePort);
    }

    public Endpoint EndpointOf(int side) => side == 0 ? new Endpoint(Address0, Port0) : new Endpoint(Address1, Port1);

    public ushort PortOf(int side) => side == 0 ? Port0 : Port1;

    public bool Equals(FlowKey other) =>
        Ports == other.Ports && Address0.Equals(other.Address0) && Address1.Equals(other.Address1);

    public override bool Equals(object? obj) => obj is FlowKey k && Equals(k);

    public override int GetHashCode() => (int)Hash();

    /// <summary>
    /// A hash whose low bits are well mixed: the conversation table probes linearly by them, and conversations of
    /// one client differ only in a few port bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Hash()
    {
        var h = (Address0.Low * 0x9E3779B97F4A7C15UL) ^ (Address1.Low * 0xC2B2AE3D27D4EB4FUL)
            ^ (Ports * 0x165667B19E3779F9UL)
            ^ ((Address0.High + (Address1.High * 31)) * 0x27D4EB2F165667C5UL);

        // MurmurHash3's finaliser: every input bit reaches the low bits.
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return (uint)h;
    }
}
