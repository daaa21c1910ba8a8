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
        Port0 = lowPort;
        Address1 = high;
        Port1 = highPort;
    }

    public IpAddress Address0 { get; }

    public ushort Port0 { get; }

    public IpAddress Address1 { get; }

    public ushort Port1 { get; }

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
        Port0 == other.Port0 && Port1 == other.Port1 && Address0.Equals(other.Address0) && Address1.Equals(other.Address1);

    public override bool Equals(object? obj) => obj is FlowKey k && Equals(k);

    public override int GetHashCode()
    {
        // Multiply-xor mixing: cheap, and spreads conversations that differ only in the client port.
        var h = (Address0.Low * 0x9E3779B97F4A7C15UL) ^ (Address1.Low * 0xC2B2AE3D27D4EB4FUL)
            ^ ((((ulong)Port0 << 16) | Port1) * 0x165667B19E3779F9UL)
            ^ ((Address0.High + (Address1.High * 31)) * 0x27D4EB2F165667C5UL);
        return (int)(h ^ (h >> 29) ^ (h >> 47));
    }
}
