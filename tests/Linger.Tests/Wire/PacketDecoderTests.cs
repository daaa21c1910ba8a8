using System.Net;
using Linger.Tests.Support;
using Linger.Tests.Wire.Support;
using Linger.Wire;
using Linger.Wire.Decoding;
using static Linger.Tests.Wire.Support.HandMadeFrame;

namespace Linger.Tests.Wire;

/// <summary>
/// The decoder against frames assembled by hand from the protocol specifications: every link type, VLAN tags,
/// IPv4 options and fragments, IPv6 extension headers, the TCP window-scale option, and what it counts instead of
/// decoding.
/// </summary>
public sealed class PacketDecoderTests
{
    private const byte Syn = 0x02;
    private const byte Ack = 0x10;
    private const byte PshAck = 0x18;
    private const byte Tcp = 6;
    private const byte Udp = 17;

    private static readonly byte[] Segment = HandMadeFrame.Tcp(40000, 8080, 1_000_000, 2_000_000, PshAck, 512, payloadLength: 100);
    private static readonly byte[] V4 = IPv4("192.0.2.1", "198.51.100.2", Tcp, Segment, ttl: 57, id: 0xBEEF);
    private static readonly byte[] V6 = IPv6("2001:db8::1", "2001:db8::2", Tcp, Segment, hopLimit: 33);

    public static TheoryData<string, int, byte[], int> FramesOfEveryLinkType => new()
    {
        { "Ethernet, IPv4", 1, Ethernet(EtherTypeIPv4, V4), 4 },
        { "Ethernet, IPv6", 1, Ethernet(EtherTypeIPv6, V6), 6 },
        { "raw IP, IPv4", 101, V4, 4 },
        { "raw IP, IPv6", 101, V6, 6 },
        { "IPV4", 228, V4, 4 },
        { "IPV6", 229, V6, 6 },
        { "Linux cooked v1", 113, LinuxSll(EtherTypeIPv4, V4), 4 },
        { "Linux cooked v2", 276, LinuxSll2(EtherTypeIPv6, V6), 6 },
        { "BSD loopback, little-endian host, AF_INET", 0, Null(2, bigEndianHost: false, V4), 4 },
        { "BSD loopback, big-endian host, AF_INET", 0, Null(2, bigEndianHost: true, V4), 4 },
        { "BSD loopback, NetBSD/OpenBSD AF_INET6 24", 0, Null(24, bigEndianHost: false, V6), 6 },
        { "BSD loopback, FreeBSD AF_INET6 28", 0, Null(28, bigEndianHost: true, V6), 6 },
        { "BSD loopback, macOS AF_INET6 30", 0, Null(30, bigEndianHost: false, V6), 6 },
        { "OpenBSD loopback, AF_INET", 108, Loop(2, V4), 4 },
        { "OpenBSD loopback, AF_INET6", 108, Loop(24, V6), 6 },
    };

    [Theory]
    [MemberData(nameof(FramesOfEveryLinkType))]
    public void A_TCP_segment_is_decoded_on_every_link_type(string name, int linkType, byte[] frame, int ipVersion)
    {
        var stats = default(DecodeStats);

        Assert.True(Decode((LinkType)linkType, frame, ref stats, out var p), name);

        Assert.Equal(ipVersion == 6, p.Source.IsV6);
        Assert.Equal(ipVersion == 4 ? IPAddress.Parse("192.0.2.1") : IPAddress.Parse("2001:db8::1"), p.Source.ToIPAddress());
        Assert.Equal(ipVersion == 4 ? IPAddress.Parse("198.51.100.2") : IPAddress.Parse("2001:db8::2"), p.Destination.ToIPAddress());
        Assert.Equal(40000, p.SourcePort);
        Assert.Equal(8080, p.DestinationPort);
        Assert.Equal(1_000_000u, p.Sequence);
        Assert.Equal(2_000_000u, p.Acknowledgment);
        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, p.Flags);
        Assert.Equal(512, p.Window);
        Assert.Equal(100, p.PayloadLength);
        Assert.Equal(ipVersion == 4 ? 57 : 33, p.Ttl);
        Assert.Equal(ipVersion == 4 ? 0xBEEF : 0, p.IpId);
        Assert.Equal(-1, p.WindowScale);
        Assert.Equal(1, stats.Tcp);
    }

    [Fact]
    public void The_frame_number_time_and_wire_length_are_carried_over()
    {
        var data = Ethernet(EtherTypeIPv4, V4);
        var frame = new Frame(LinkType.Ethernet, 1_700_000_000_123_456_789, data.Length + 4, data, 0, 24);
        var stats = default(DecodeStats);

        Assert.True(PacketDecoder.TryDecode(frame, 41, out var p, ref stats));

        Assert.Equal(41, p.FrameNumber);
        Assert.Equal(1_700_000_000_123_456_789, p.TimestampNs);
        Assert.Equal(data.Length + 4, p.WireLength);
    }

    [Theory]
    [InlineData(0x8100)]
    [InlineData(0x88A8)]
    [InlineData(0x9100)]
    public void A_single_VLAN_tag_is_stepped_over(int tpid)
    {
        var stats = default(DecodeStats);
        Assert.True(Decode(LinkType.Ethernet, Ethernet(EtherTypeIPv4, V4, (tpid, 42)), ref stats, out var p));
        Assert.Equal(8080, p.DestinationPort);
    }

    [Fact]
    public void QinQ_double_and_triple_tags_are_stepped_over()
    {
        var stats = default(DecodeStats);
        Assert.True(Decode(LinkType.Ethernet, Ethernet(EtherTypeIPv6, V6, (0x88A8, 100), (0x8100, 42)), ref stats, out var p2));
        Assert.True(Decode(LinkType.Ethernet, Ethernet(EtherTypeIPv4, V4, (0x9100, 1), (0x88A8, 100), (0x8100, 42)), ref stats, out var p3));
        Assert.Equal(100, p2.PayloadLength);
        Assert.Equal(100, p3.PayloadLength);
        Assert.Equal(2, stats.Tcp);
    }

    [Fact]
    public void An_absurd_stack_of_VLAN_tags_is_counted_as_malformed()
    {
        var tags = Enumerable.Repeat((0x8100, 1), 20).ToArray();
        var stats = default(DecodeStats);

        Assert.False(Decode(LinkType.Ethernet, Ethernet(EtherTypeIPv4, V4, tags), ref stats, out _));

        Assert.Equal(1, stats.Malformed);
    }

    [Fact]
    public void IPv4_options_move_the_TCP_header()
    {
        // Record Route with room for 3 addresses (15 bytes) and an end-of-options byte: IHL 9.
        byte[] options = [7, 15, 4, .. new byte[12], 0];
        var stats = default(DecodeStats);

        Assert.True(Decode(LinkType.Raw, IPv4("10.0.0.1", "10.0.0.2", Tcp, Segment, options: options), ref stats, out var p));

        Assert.Equal(40000, p.SourcePort);
        Assert.Equal(1_000_000u, p.Sequence);
        Assert.Equal(100, p.PayloadLength);
    }

    [Theory]
    [InlineData(0x2000, true)] // first fragment: more fragments
    [InlineData(0x00B9, true)] // last fragment: offset 185 * 8
    [InlineData(0x20B9, true)] // middle fragment
    [InlineData(0x4000, false)] // don't fragment: whole
    [InlineData(0x0000, false)] // whole
    public void IPv4_fragments_are_counted_not_decoded(int flagsAndOffset, bool fragment)
    {
        var stats = default(DecodeStats);

        var decoded = Decode(LinkType.Raw, IPv4("10.0.0.1", "10.0.0.2", Tcp, Segment, flagsAndOffset: (ushort)flagsAndOffset), ref stats, out _);

        Assert.Equal(!fragment, decoded);
        Assert.Equal(fragment ? 1 : 0, stats.Fragments);
    }

    [Fact]
    public void IPv6_extension_headers_are_stepped_over_to_TCP()
    {
        var packet = IPv6(
            "2001:db8::1",
            "2001:db8::2",
            Tcp,
            Segment,
            64,
            Extension(0, 0),
            Extension(43, 2),
            Authentication(3),
            Fragment(0, more: false), // atomic fragment: the whole packet
            Extension(60, 1));
        var stats = default(DecodeStats);

        Assert.True(Decode(LinkType.IPv6, packet, ref stats, out var p));

        Assert.Equal(8080, p.DestinationPort);
        Assert.Equal(100, p.PayloadLength);
        Assert.Equal(0, stats.Fragments);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(100, false)]
    [InlineData(100, true)]
    public void IPv6_fragments_are_counted_not_decoded(int offsetUnits, bool more)
    {
        var stats = default(DecodeStats);

        Assert.False(Decode(LinkType.IPv6, IPv6("::1", "::1", Tcp, Segment, 64, Extension(0, 0), Fragment(offsetUnits, more)), ref stats, out _));

        Assert.Equal(1, stats.Fragments);
    }

    [Fact]
    public void IPv6_with_no_next_header_or_another_protocol_is_not_TCP()
    {
        var stats = default(DecodeStats);
        Assert.False(Decode(LinkType.IPv6, IPv6("::1", "::1", 59, [], 64, Extension(60, 0)), ref stats, out _));
        Assert.False(Decode(LinkType.IPv6, IPv6("::1", "::1", Udp, new byte[8]), ref stats, out _));
        Assert.False(Decode(LinkType.IPv6, IPv6("::1", "::1", 50, new byte[32]), ref stats, out _));
        Assert.Equal(3, stats.NonTcp);
    }

    [Fact]
    public void IPv6_extension_headers_longer_than_the_payload_are_malformed()
    {
        var packet = IPv6("::1", "::1", Tcp, Segment, 64, Extension(0, 0));
        packet[4] = 0;
        packet[5] = 4; // payload length 4, but the hop-by-hop header alone is 8

        var stats = default(DecodeStats);
        Assert.False(Decode(LinkType.IPv6, packet, ref stats, out _));
        Assert.Equal(1, stats.Malformed);
    }

    [Theory]
    [InlineData(7, 7)]
    [InlineData(0, 0)]
    [InlineData(14, 14)]
    [InlineData(20, 14)] // RFC 7323 2.3: larger shifts are used as 14
    public void A_SYNs_window_scale_option_is_read(int shift, int expected)
    {
        // MSS 1460, SACK permitted, timestamps, NOP, window scale: the order Linux sends them in.
        byte[] options = [2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, (byte)shift];
        var syn = HandMadeFrame.Tcp(40000, 8080, 7, 0, Syn, 65535, options);
        var stats = default(DecodeStats);

        Assert.True(Decode(LinkType.Raw, IPv4("10.0.0.1", "10.0.0.2", Tcp, syn), ref stats, out var p));

        Assert.Equal(expected, p.WindowScale);
        Assert.Equal(0, p.PayloadLength);
    }

    [Fact]
    public void Window_scale_is_minus_one_without_the_option_or_outside_a_SYN()
    {
        byte[] scale = [1, 3, 3, 7];
        var synWithout = HandMadeFrame.Tcp(1, 2, 0, 0, Syn, 100, [2, 4, 0x05, 0xB4]);
        var ackWith = HandMadeFrame.Tcp(1, 2, 0, 0, Ack, 100, scale);
        var stats = default(DecodeStats);

        Assert.True(Decode(LinkType.Raw, IPv4("10.0.0.1", "10.0.0.2", Tcp, synWithout), ref stats, out var p1));
        Assert.True(Decode(LinkType.Raw, IPv4("10.0.0.1", "10.0.0.2", Tcp, ackWith), ref stats, out var p2));

        Assert.Equal(-1, p1.WindowScale);
        Assert.Equal(-1, p2.WindowScale);
    }

    [Fact]
    public void A_damaged_option_list_yields_no_window_scale_and_no_crash()
    {
        // An option claiming 40 bytes inside a 4-byte option area.
        var syn = HandMadeFrame.Tcp(1, 2, 0, 0, Syn, 100, [2, 40, 0, 0]);
        var stats = default(DecodeStats);

        Assert.True(Decode(LinkType.Raw, IPv4("10.0.0.1", "10.0.0.2", Tcp, syn), ref stats, out var p));

        Assert.Equal(-1, p.WindowScale);
    }

    [Fact]
    public void Payload_length_comes_from_the_IP_header_when_the_snap_length_cut_the_frame()
    {
        var full = Ethernet(EtherTypeIPv4, IPv4("10.0.0.1", "10.0.0.2", Tcp, HandMadeFrame.Tcp(1, 2, 0, 0, PshAck, 100, payloadLength: 1460)));
        var snapped = full.AsSpan(0, 68).ToArray();
        var frame = new Frame(LinkType.Ethernet, 0, full.Length, snapped, 0, 0);
        var stats = default(DecodeStats);

        Assert.True(PacketDecoder.TryDecode(frame, 0, out var p, ref stats));

        Assert.Equal(1460, p.PayloadLength);
    }

    [Fact]
    public void Ethernet_padding_is_not_counted_as_payload()
    {
        var small = Ethernet(EtherTypeIPv4, IPv4("10.0.0.1", "10.0.0.2", Tcp, HandMadeFrame.Tcp(1, 2, 0, 0, Ack, 100)));
        byte[] padded = [.. small, .. new byte[60 - small.Length]];
        var stats = default(DecodeStats);

        Assert.True(Decode(LinkType.Ethernet, padded, ref stats, out var p));

        Assert.Equal(0, p.PayloadLength);
    }

    [Fact]
    public void An_IPv4_total_length_of_zero_is_taken_as_segmentation_offload()
    {
        var packet = IPv4("10.0.0.1", "10.0.0.2", Tcp, HandMadeFrame.Tcp(1, 2, 0, 0, PshAck, 100, payloadLength: 3000), totalLength: 0);
        var stats = default(DecodeStats);

        Assert.True(Decode(LinkType.Raw, packet, ref stats, out var p));

        Assert.Equal(3000, p.PayloadLength);
    }

    [Fact]
    public void A_TCP_header_longer_than_the_IP_payload_leaves_a_payload_of_zero()
    {
        var segment = HandMadeFrame.Tcp(1, 2, 0, 0, Ack, 100, payloadLength: 10);
        var packet = IPv4("10.0.0.1", "10.0.0.2", Tcp, segment, totalLength: 20 + 12);
        var stats = default(DecodeStats);

        Assert.True(Decode(LinkType.Raw, packet, ref stats, out var p));

        Assert.Equal(0, p.PayloadLength);
    }

    [Theory]
    [InlineData(10)] // inside the Ethernet header
    [InlineData(14 + 12)] // inside the IPv4 header
    [InlineData(14 + 20 + 10)] // inside the TCP header
    public void Frames_cut_inside_a_header_are_counted_as_truncated(int captured)
    {
        var full = Ethernet(EtherTypeIPv4, V4);
        var stats = default(DecodeStats);

        Assert.False(Decode(LinkType.Ethernet, full.AsSpan(0, captured).ToArray(), ref stats, out _));

        Assert.Equal(1, stats.TruncatedHeaders);
    }

    [Fact]
    public void Headers_that_contradict_themselves_are_counted_as_malformed()
    {
        var shortIhl = (byte[])V4.Clone();
        shortIhl[0] = 0x44;
        var shortTotal = (byte[])V4.Clone();
        shortTotal[2] = 0;
        shortTotal[3] = 12;
        var tinyDataOffset = (byte[])V4.Clone();
        tinyDataOffset[20 + 12] = 0x40;
        var stats = default(DecodeStats);

        Assert.False(Decode(LinkType.Raw, shortIhl, ref stats, out _));
        Assert.False(Decode(LinkType.Raw, shortTotal, ref stats, out _));
        Assert.False(Decode(LinkType.Raw, tinyDataOffset, ref stats, out _));
        Assert.False(Decode(LinkType.Ethernet, Ethernet(EtherTypeIPv4, V6), ref stats, out _));
        Assert.False(Decode(LinkType.IPv6, V4, ref stats, out _));
        Assert.False(Decode(LinkType.Raw, [0x50, 0, 0, 0], ref stats, out _));

        Assert.Equal(6, stats.Malformed);
    }

    [Fact]
    public void Non_IP_link_payloads_and_unknown_link_types_are_counted()
    {
        var arp = Ethernet(0x0806, new byte[28]);
        var ieee8023 = Ethernet(46, new byte[46]); // a length, not an EtherType: LLC follows
        var appleTalkOnLoopback = Null(16, bigEndianHost: false, new byte[20]);
        var stats = default(DecodeStats);

        Assert.False(Decode(LinkType.Ethernet, arp, ref stats, out _));
        Assert.False(Decode(LinkType.Ethernet, ieee8023, ref stats, out _));
        Assert.False(Decode(LinkType.Null, appleTalkOnLoopback, ref stats, out _));
        Assert.False(Decode((LinkType)105, V4, ref stats, out _));

        Assert.Equal(3, stats.NonIp);
        Assert.Equal(1, stats.UnsupportedLinkType);
    }

    [Fact]
    public void UDP_and_ICMP_are_counted_as_IP_but_not_TCP()
    {
        var stats = default(DecodeStats);
        Assert.False(Decode(LinkType.Raw, IPv4("10.0.0.1", "10.0.0.2", Udp, new byte[8]), ref stats, out _));
        Assert.False(Decode(LinkType.Raw, IPv4("10.0.0.1", "10.0.0.2", 1, new byte[8]), ref stats, out _));
        Assert.Equal(2, stats.NonTcp);
    }

    [Fact]
    public void Every_frame_lands_in_exactly_one_count()
    {
        byte[][] frames =
        [
            Ethernet(EtherTypeIPv4, V4),
            Ethernet(0x0806, new byte[28]),
            Ethernet(EtherTypeIPv4, IPv4("10.0.0.1", "10.0.0.2", Udp, new byte[8])),
            Ethernet(EtherTypeIPv4, IPv4("10.0.0.1", "10.0.0.2", Tcp, Segment, flagsAndOffset: 0x2000)),
            Ethernet(EtherTypeIPv4, V4)[..20],
            Ethernet(EtherTypeIPv4, V6),
        ];
        var stats = default(DecodeStats);
        foreach (var f in frames)
        {
            Decode(LinkType.Ethernet, f, ref stats, out _);
        }

        Assert.Equal(frames.Length, stats.Frames);
        Assert.Equal(stats.Frames, stats.Tcp + stats.NonIp + stats.NonTcp + stats.Fragments + stats.TruncatedHeaders + stats.Malformed + stats.UnsupportedLinkType);
        Assert.Equal(1, stats.Tcp);
        Assert.Equal(1, stats.NonIp);
        Assert.Equal(1, stats.NonTcp);
        Assert.Equal(1, stats.Fragments);
        Assert.Equal(1, stats.TruncatedHeaders);
        Assert.Equal(1, stats.Malformed);
    }

    [Fact]
    public void Decoding_allocates_nothing_per_packet()
    {
        var ethernet = Ethernet(EtherTypeIPv6, IPv6("2001:db8::1", "2001:db8::2", Tcp, Segment, 64, Extension(0, 0)), (0x8100, 5));
        var syn = IPv4("10.0.0.1", "10.0.0.2", Tcp, HandMadeFrame.Tcp(1, 2, 0, 0, Syn, 100, [1, 3, 3, 7]));
        var stats = default(DecodeStats);
        // One of each first: compiling a code path on its first call may allocate; a packet must not.
        Decode(LinkType.Ethernet, ethernet, ref stats, out _);
        Decode(LinkType.Raw, syn, ref stats, out _);

        var fewest = Allocations.Fewest(3, round =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                Decode(LinkType.Ethernet, ethernet, ref stats, out _);
                Decode(LinkType.Raw, syn, ref stats, out _);
            }
        });

        Assert.Equal(0, fewest);
        Assert.Equal(60_002, stats.Tcp);
    }

    private static bool Decode(LinkType linkType, byte[] data, ref DecodeStats stats, out TcpPacket packet)
    {
        var frame = new Frame(linkType, 0, data.Length, data, 0, 0);
        return PacketDecoder.TryDecode(frame, 0, out packet, ref stats);
    }
}
