using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Linger.Wire;

namespace Linger.Flows.Internal;

/// <summary>
/// Both directions of a TCP 4-tuple under one key: the lower (address, port) pair is side 0, the higher side 1,
/// so a packet and its reply find the same conversation without allocating. 40 bytes, compared and hashed as words.
/// </summary>
internal readonly struct FlowKey : IEquatable<FlowKey>
{
    private readonly ulong _high0;
    private readonly ulong _low0;
    private readonly ulong _high1;
    private readonly ulong _low1;

    /// <summary>Side 0's port in the high half, side 1's in the low half.</summary>
    private readonly uint _ports;

    /// <summary>Bit 0: address 0 is IPv6; bit 1: address 1 is.</summary>
    private readonly byte _v6;

    private FlowKey(byte v6) => _v6 = v6;

    private FlowKey(IpAddress low, ushort lowPort, IpAddress high, ushort highPort)
    {
        _high0 = low.High;
        _low0 = low.Low;
        _high1 = high.High;
        _low1 = high.Low;
        _ports = ((uint)lowPort << 16) | highPort;
        _v6 = (byte)((low.IsV6 ? 1 : 0) | (high.IsV6 ? 2 : 0));
    }

    /// <summary>A key no packet has: what a freed slot holds, so that a stale reference to the slot matches nothing.</summary>
    public static FlowKey None { get; } = new(byte.MaxValue);

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

    public Endpoint EndpointOf(int side) => new(AddressOf(side), PortOf(side));

    public ushort PortOf(int side) => side == 0 ? (ushort)(_ports >> 16) : (ushort)_ports;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(FlowKey other) =>
        _low0 == other._low0 && _low1 == other._low1 && _ports == other._ports && _v6 == other._v6
        && _high0 == other._high0 && _high1 == other._high1;

    public override bool Equals(object? obj) => obj is FlowKey k && Equals(k);

    public override int GetHashCode() => (int)Hash();

    /// <summary>
    /// A hash whose low bits are well mixed: the conversation table probes linearly by them, and conversations of
    /// one client differ only in a few port bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Hash()
    {
        var h = (_low0 * 0x9E3779B97F4A7C15UL) ^ (_low1 * 0xC2B2AE3D27D4EB4FUL)
            ^ ((_ports | ((ulong)_v6 << 32)) * 0x165667B19E3779F9UL)
            ^ ((_high0 + (_high1 * 31)) * 0x27D4EB2F165667C5UL);

        // MurmurHash3's finaliser: every input bit reaches the low bits.
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return (uint)h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private IpAddress AddressOf(int side)
    {
        var (high, low, v6) = side == 0 ? (_high0, _low0, (_v6 & 1) != 0) : (_high1, _low1, (_v6 & 2) != 0);
        if (!v6)
        {
            return IpAddress.FromV4((uint)low);
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, high);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], low);
        return IpAddress.FromV6(bytes);
    }
}
