using System.Buffers.Binary;
using System.Net;
using Linger.Wire;

namespace Linger.Tests.WireLive;

/// <summary>
/// A packet built byte by byte for the filter cross-checks: its network-layer bytes (what an AF_PACKET SOCK_DGRAM
/// socket shows the kernel filter), its ethertype, and — for a plain TCP segment — the decoded form the managed
/// evaluator sees. Each TCP segment has a unique sequence number, so it can be recognised in tcpdump's output.
/// </summary>
internal sealed record SyntheticPacket(string Description, ushort Ethertype, byte[] Network, TcpPacket? Segment)
{
    private static readonly byte[] DestinationMac = [0x02, 0, 0, 0, 0, 0x02];
    private static readonly byte[] SourceMac = [0x02, 0, 0, 0, 0, 0x01];

    /// <summary>The packet as an Ethernet II frame, for a pcap file tcpdump reads.</summary>
    public byte[] EthernetFrame()
    {
        var frame = new byte[14 + Network.Length];
        DestinationMac.CopyTo(frame, 0);
        SourceMac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), Ethertype);
        Network.CopyTo(frame, 14);
        return frame;
    }

    public override string ToString() => Description;

    /// <summary>A TCP segment over IPv4, optionally with IP options (in 32-bit words) or as a fragment.</summary>
    public static SyntheticPacket Tcp4(
        string source, string destination, ushort sourcePort, ushort destinationPort, uint sequence,
        int optionWords = 0, int fragmentOffset = 0, bool moreFragments = false)
    {
        var headerLength = 20 + (4 * optionWords);
        var tcp = TcpHeader(sourcePort, destinationPort, sequence);
        var bytes = new byte[headerLength + tcp.Length];
        bytes[0] = (byte)(0x40 | (headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)bytes.Length);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), (ushort)sequence);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), (ushort)((moreFragments ? 0x2000 : 0) | fragmentOffset));
        bytes[8] = 64;
        bytes[9] = 6;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(bytes, 12);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(bytes, 16);
        for (var i = 20; i < headerLength; i++)
        {
            bytes[i] = 1; // NOP options
        }

        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(10), Ipv4Checksum(bytes.AsSpan(0, headerLength)));
        tcp.CopyTo(bytes, headerLength);

        var plain = fragmentOffset == 0 && !moreFragments;
        var description = $"tcp4 {source}:{sourcePort} > {destination}:{destinationPort}"
            + (optionWords > 0 ? $" ihl={headerLength}" : string.Empty)
            + (plain ? string.Empty : $" fragment offset={fragmentOffset} mf={moreFragments}");
        return new SyntheticPacket(description, 0x0800, bytes, plain ? DecodedSegment(source, destination, sourcePort, destinationPort, sequence) : null);
    }

    /// <summary>How a synthetic IPv6 TCP segment is wrapped.</summary>
    public enum Ipv6Wrapping
    {
        Direct,
        HopByHopHeader,
        FragmentHeader,
    }

    /// <summary>A TCP segment over IPv6, directly or behind one extension header.</summary>
    public static SyntheticPacket Tcp6(
        string source, string destination, ushort sourcePort, ushort destinationPort, uint sequence,
        Ipv6Wrapping wrapping = Ipv6Wrapping.Direct)
    {
        var tcp = TcpHeader(sourcePort, destinationPort, sequence);
        var extension = wrapping == Ipv6Wrapping.Direct ? 0 : 8;
        var bytes = new byte[40 + extension + tcp.Length];
        bytes[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), (ushort)(extension + tcp.Length));
        bytes[6] = wrapping switch { Ipv6Wrapping.HopByHopHeader => 0, Ipv6Wrapping.FragmentHeader => 44, _ => 6 };
        bytes[7] = 64;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(bytes, 8);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(bytes, 24);
        if (extension > 0)
        {
            bytes[40] = 6; // next header: TCP
            if (wrapping == Ipv6Wrapping.HopByHopHeader)
            {
                bytes[42] = 1; // PadN option filling the header
                bytes[43] = 4;
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(44), sequence); // identification; offset 0, M=1
                bytes[43] = 1;
            }
        }

        tcp.CopyTo(bytes, 40 + extension);
        var description = $"tcp6 [{source}]:{sourcePort} > [{destination}]:{destinationPort}"
            + (wrapping == Ipv6Wrapping.Direct ? string.Empty : $" behind {wrapping}");
        return new SyntheticPacket(
            description, 0x86dd, bytes, wrapping == Ipv6Wrapping.Direct ? DecodedSegment(source, destination, sourcePort, destinationPort, sequence) : null);
    }

    /// <summary>A UDP datagram (noise the kernel filter must drop).</summary>
    public static SyntheticPacket Udp(string source, string destination, ushort sourcePort, ushort destinationPort)
    {
        var v6 = source.Contains(':', StringComparison.Ordinal);
        var header = v6 ? 40 : 20;
        var bytes = new byte[header + 12];
        if (v6)
        {
            bytes[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), 12);
            bytes[6] = 17;
            bytes[7] = 64;
            IPAddress.Parse(source).GetAddressBytes().CopyTo(bytes, 8);
            IPAddress.Parse(destination).GetAddressBytes().CopyTo(bytes, 24);
        }
        else
        {
            bytes[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)bytes.Length);
            bytes[8] = 64;
            bytes[9] = 17;
            IPAddress.Parse(source).GetAddressBytes().CopyTo(bytes, 12);
            IPAddress.Parse(destination).GetAddressBytes().CopyTo(bytes, 16);
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(10), Ipv4Checksum(bytes.AsSpan(0, 20)));
        }

        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(header), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(header + 2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(header + 4), 12);
        return new SyntheticPacket($"udp {source}:{sourcePort} > {destination}:{destinationPort}", v6 ? (ushort)0x86dd : (ushort)0x0800, bytes, null);
    }

    /// <summary>An ICMP echo request over IPv4.</summary>
    public static SyntheticPacket Icmp4(string source, string destination)
    {
        var bytes = new byte[28];
        bytes[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), 28);
        bytes[8] = 64;
        bytes[9] = 1;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(bytes, 12);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(bytes, 16);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(10), Ipv4Checksum(bytes.AsSpan(0, 20)));
        bytes[20] = 8;
        return new SyntheticPacket($"icmp {source} > {destination}", 0x0800, bytes, null);
    }

    /// <summary>An ARP request (not IP at all).</summary>
    public static SyntheticPacket Arp(string sender, string target)
    {
        var bytes = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, 1);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), 0x0800);
        bytes[4] = 6;
        bytes[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), 1);
        SourceMac.CopyTo(bytes, 8);
        IPAddress.Parse(sender).GetAddressBytes().CopyTo(bytes, 14);
        IPAddress.Parse(target).GetAddressBytes().CopyTo(bytes, 24);
        return new SyntheticPacket($"arp who-has {target} tell {sender}", 0x0806, bytes, null);
    }

    private static byte[] TcpHeader(ushort sourcePort, ushort destinationPort, uint sequence)
    {
        var tcp = new byte[24];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), sequence);
        tcp[12] = 0x50;
        tcp[13] = 0x18; // PSH+ACK
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        tcp[20] = (byte)'d';
        tcp[21] = (byte)'a';
        tcp[22] = (byte)'t';
        tcp[23] = (byte)'a';
        return tcp;
    }

    private static TcpPacket DecodedSegment(string source, string destination, ushort sourcePort, ushort destinationPort, uint sequence) => new()
    {
        Source = IpAddress.From(IPAddress.Parse(source)),
        Destination = IpAddress.From(IPAddress.Parse(destination)),
        SourcePort = sourcePort,
        DestinationPort = destinationPort,
        Sequence = sequence,
        Flags = TcpFlags.Psh | TcpFlags.Ack,
        PayloadLength = 4,
        WindowScale = -1,
    };

    private static ushort Ipv4Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
