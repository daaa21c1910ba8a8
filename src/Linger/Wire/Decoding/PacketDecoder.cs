using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Linger.Wire.Decoding;

/// <summary>
/// Decodes a captured frame down to its TCP header: link layer (Ethernet with 802.1Q/802.1ad tags, Linux cooked
/// v1/v2, BSD and OpenBSD loopback, raw IP), IPv4 (with options) or IPv6 (with extension headers), then TCP. Never
/// throws on bad bytes and allocates nothing: frames that are not decodable TCP are counted in
/// <see cref="DecodeStats"/>.
/// </summary>
public static class PacketDecoder
{
    // Deeper stacks of VLAN tags or IPv6 extension headers than any real network uses mean garbage.
    private const int MaxVlanTags = 8;
    private const int MaxExtensionHeaders = 16;

    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const ushort EtherTypeQinQLegacy = 0x9100;

    private const byte ProtocolTcp = 6;
    private const int TcpMinHeader = 20;
    private const byte TcpOptionEnd = 0;
    private const byte TcpOptionNop = 1;
    private const byte TcpOptionWindowScale = 3;

    // RFC 7323 2.3: a larger shift is treated as 14.
    private const byte MaxWindowScale = 14;

    private enum Outcome
    {
        /// <summary>The link layer carries IP: decoding goes on.</summary>
        Ip,
        Tcp,
        NonIp,
        NonTcp,
        Fragment,
        Truncated,
        Malformed,
        UnsupportedLinkType,
    }

    /// <summary>
    /// Decodes one frame. True when it holds a TCP segment (then <paramref name="packet"/> is filled); otherwise the
    /// reason is counted in <paramref name="stats"/>.
    /// </summary>
    /// <param name="frame">The captured frame.</param>
    /// <param name="frameNumber">The frame's index in its capture, copied to <see cref="TcpPacket.FrameNumber"/>.</param>
    /// <param name="packet">The decoded segment; default when the result is false.</param>
    /// <param name="stats">Counts updated for every frame.</param>
    [MethodImpl(Compile.Hot)]
    public static bool TryDecode(in Frame frame, long frameNumber, out TcpPacket packet, ref DecodeStats stats)
    {
        stats.Frames++;
        packet = default;
        var outcome = Decode(frame, ref packet);
        switch (outcome)
        {
            case Outcome.Tcp:
                stats.Tcp++;
                packet.TimestampNs = frame.TimestampNs;
                packet.FrameNumber = frameNumber;
                packet.WireLength = frame.OriginalLength;
                return true;
            case Outcome.NonIp:
                stats.NonIp++;
                break;
            case Outcome.NonTcp:
                stats.NonTcp++;
                break;
            case Outcome.Fragment:
                stats.Fragments++;
                break;
            case Outcome.Truncated:
                stats.TruncatedHeaders++;
                break;
            case Outcome.Malformed:
                stats.Malformed++;
                break;
            default:
                stats.UnsupportedLinkType++;
                break;
        }

        packet = default;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Outcome Decode(in Frame frame, ref TcpPacket packet)
    {
        var data = frame.Data;
        var outcome = DecodeLink(frame.LinkType, data, out var ipOffset, out var version);
        if (outcome != Outcome.Ip)
        {
            return outcome;
        }

        // Lengths come from the IP header, not from what was captured: the snap length may have cut the payload,
        // and Ethernet may have padded a short frame.
        var wireLength = Math.Max(frame.OriginalLength, data.Length);
        var ip = data[ipOffset..];
        int tcpOffset, tcpLength;
        outcome = version == 4
            ? DecodeIPv4(ip, wireLength - ipOffset, ref packet, out tcpOffset, out tcpLength)
            : DecodeIPv6(ip, wireLength - ipOffset, ref packet, out tcpOffset, out tcpLength);
        if (outcome != Outcome.Tcp)
        {
            return outcome;
        }

        // Extension headers may have been skipped past the captured bytes.
        return tcpOffset > ip.Length ? Outcome.Truncated : DecodeTcp(ip[tcpOffset..], tcpLength, ref packet);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Outcome DecodeLink(LinkType linkType, ReadOnlySpan<byte> data, out int ipOffset, out int version)
    {
        ipOffset = 0;
        version = 0;
        switch (linkType)
        {
            case LinkType.Ethernet:
                return data.Length < 14
                    ? Outcome.Truncated
                    : EtherType(data, BinaryPrimitives.ReadUInt16BigEndian(data[12..]), 14, out ipOffset, out version);
            case LinkType.LinuxSll:
                return data.Length < 16
                    ? Outcome.Truncated
                    : EtherType(data, BinaryPrimitives.ReadUInt16BigEndian(data[14..]), 16, out ipOffset, out version);
            case LinkType.LinuxSll2:
                return data.Length < 20
                    ? Outcome.Truncated
                    : EtherType(data, BinaryPrimitives.ReadUInt16BigEndian(data), 20, out ipOffset, out version);
            case LinkType.Null:
                if (data.Length < 4)
                {
                    return Outcome.Truncated;
                }

                // The family is in the capturing host's byte order, which the file does not record: a family is a
                // small number, so whichever order gives one is the right one.
                var family = BinaryPrimitives.ReadUInt32LittleEndian(data);
                if (family > 0xFFFF)
                {
                    family = BinaryPrimitives.ReverseEndianness(family);
                }

                ipOffset = 4;
                return AddressFamily(family, out version);
            case LinkType.Loop:
                if (data.Length < 4)
                {
                    return Outcome.Truncated;
                }

                ipOffset = 4;
                return AddressFamily(BinaryPrimitives.ReadUInt32BigEndian(data), out version);
            case LinkType.Raw:
                if (data.Length < 1)
                {
                    return Outcome.Truncated;
                }

                version = data[0] >> 4;
                return version is 4 or 6 ? Outcome.Ip : Outcome.Malformed;
            case LinkType.IPv4:
                version = 4;
                return Outcome.Ip;
            case LinkType.IPv6:
                version = 6;
                return Outcome.Ip;
            default:
                return Outcome.UnsupportedLinkType;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Outcome EtherType(ReadOnlySpan<byte> data, ushort type, int offset, out int ipOffset, out int version)
    {
        ipOffset = 0;
        version = 0;
        for (var tags = 0; type is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQLegacy; tags++)
        {
            if (tags == MaxVlanTags)
            {
                return Outcome.Malformed;
            }

            // A tag is 2 bytes of priority and VLAN id, then the next EtherType.
            if (data.Length < offset + 4)
            {
                return Outcome.Truncated;
            }

            type = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            offset += 4;
        }

        ipOffset = offset;
        switch (type)
        {
            case EtherTypeIPv4:
                version = 4;
                return Outcome.Ip;
            case EtherTypeIPv6:
                version = 6;
                return Outcome.Ip;
            default:
                return Outcome.NonIp;
        }
    }

    private static Outcome AddressFamily(uint family, out int version)
    {
        // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly), 30 (macOS).
        version = family switch
        {
            2 => 4,
            24 or 28 or 30 => 6,
            _ => 0,
        };
        return version == 0 ? Outcome.NonIp : Outcome.Ip;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Outcome DecodeIPv4(ReadOnlySpan<byte> ip, int wireLength, ref TcpPacket packet, out int tcpOffset, out int tcpLength)
    {
        tcpOffset = 0;
        tcpLength = 0;
        if (ip.Length < 20)
        {
            return Outcome.Truncated;
        }

        var headerLength = (ip[0] & 0x0F) * 4;
        if (ip[0] >> 4 != 4 || headerLength < 20)
        {
            return Outcome.Malformed;
        }

        if (ip.Length < headerLength)
        {
            return Outcome.Truncated;
        }

        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (totalLength == 0)
        {
            // Segmentation offload: the sender's capture sees the large segment before the NIC splits it, with a
            // total length of 0. The frame's own length is all there is to go by.
            totalLength = wireLength;
        }

        if (totalLength < headerLength)
        {
            return Outcome.Malformed;
        }

        // More fragments, or a fragment offset: a piece of a bigger datagram.
        if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3FFF) != 0)
        {
            return Outcome.Fragment;
        }

        if (ip[9] != ProtocolTcp)
        {
            return Outcome.NonTcp;
        }

        packet.IpId = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        packet.Ttl = ip[8];
        packet.Source = IpAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(ip[12..]));
        packet.Destination = IpAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(ip[16..]));
        packet.IpLength = totalLength;
        tcpOffset = headerLength;
        tcpLength = totalLength - headerLength;
        return Outcome.Tcp;
    }

    [MethodImpl(Compile.Hot)]
    private static Outcome DecodeIPv6(ReadOnlySpan<byte> ip, int wireLength, ref TcpPacket packet, out int tcpOffset, out int tcpLength)
    {
        tcpOffset = 0;
        tcpLength = 0;
        if (ip.Length < 40)
        {
            return Outcome.Truncated;
        }

        if (ip[0] >> 4 != 6)
        {
            return Outcome.Malformed;
        }

        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if (payloadLength == 0)
        {
            // A jumbogram or an offloaded segment: the frame's own length is all there is to go by.
            payloadLength = Math.Max(0, wireLength - 40);
        }

        packet.IpLength = 40 + payloadLength;
        var next = ip[6];
        var offset = 40;
        for (var headers = 0; next != ProtocolTcp; headers++)
        {
            if (headers == MaxExtensionHeaders)
            {
                return Outcome.Malformed;
            }

            int length;
            switch (next)
            {
                // Hop-by-hop, routing, destination options, mobility, HIP, shim6, experimental:
                // length in 8-octet units, not counting the first 8.
                case 0 or 43 or 60 or 135 or 139 or 140 or 253 or 254:
                    if (ip.Length < offset + 2)
                    {
                        return Outcome.Truncated;
                    }

                    length = (ip[offset + 1] + 1) * 8;
                    break;

                // Authentication header: length in 4-octet units, not counting the first 2.
                case 51:
                    if (ip.Length < offset + 2)
                    {
                        return Outcome.Truncated;
                    }

                    length = (ip[offset + 1] + 2) * 4;
                    break;
                case 44:
                    if (ip.Length < offset + 8)
                    {
                        return Outcome.Truncated;
                    }

                    // An offset or the more-fragments bit; offset 0 without it is an atomic fragment, whole.
                    if ((BinaryPrimitives.ReadUInt16BigEndian(ip[(offset + 2)..]) & 0xFFF9) != 0)
                    {
                        return Outcome.Fragment;
                    }

                    length = 8;
                    break;

                // No next header (59), ESP (50), or an upper layer that is not TCP.
                default:
                    return Outcome.NonTcp;
            }

            next = ip[offset];
            offset += length;
            if (offset - 40 > payloadLength)
            {
                return Outcome.Malformed;
            }
        }

        packet.Ttl = ip[7];
        packet.Source = IpAddress.FromV6(ip[8..]);
        packet.Destination = IpAddress.FromV6(ip[24..]);
        tcpOffset = offset;
        tcpLength = payloadLength - (offset - 40);
        return Outcome.Tcp;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Outcome DecodeTcp(ReadOnlySpan<byte> tcp, int tcpLength, ref TcpPacket packet)
    {
        if (tcp.Length < TcpMinHeader)
        {
            return Outcome.Truncated;
        }

        var headerLength = (tcp[12] >> 4) * 4;
        if (headerLength < TcpMinHeader)
        {
            return Outcome.Malformed;
        }

        var flags = (TcpFlags)tcp[13];
        packet.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(tcp);
        packet.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]);
        packet.Sequence = BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]);
        packet.Acknowledgment = BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]);
        packet.Flags = flags;
        packet.Window = BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]);
        packet.PayloadLength = Math.Max(0, tcpLength - headerLength);
        packet.WindowScale = (flags & TcpFlags.Syn) != 0 && headerLength > TcpMinHeader
            ? WindowScale(tcp[TcpMinHeader..Math.Min(headerLength, tcp.Length)])
            : (sbyte)-1;
        return Outcome.Tcp;
    }

    private static sbyte WindowScale(ReadOnlySpan<byte> options)
    {
        var i = 0;
        while (i < options.Length)
        {
            var kind = options[i];
            if (kind == TcpOptionEnd)
            {
                break;
            }

            if (kind == TcpOptionNop)
            {
                i++;
                continue;
            }

            if (i + 1 >= options.Length)
            {
                break;
            }

            var length = options[i + 1];
            if (length < 2 || i + length > options.Length)
            {
                break;
            }

            if (kind == TcpOptionWindowScale && length == 3)
            {
                return (sbyte)Math.Min(options[i + 2], MaxWindowScale);
            }

            i += length;
        }

        return -1;
    }
}
