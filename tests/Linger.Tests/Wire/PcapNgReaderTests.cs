using System.Numerics;
using Linger.Tests.Wire.Support;
using Linger.Wire;
using Linger.Wire.Files;

namespace Linger.Tests.Wire;

/// <summary>
/// pcapng files laid out block by block: two sections of different byte order, interfaces with their own link types,
/// time resolutions and offsets, every packet block type, blocks to skip, and damaged blocks.
/// </summary>
public sealed class PcapNgReaderTests
{
    private const ulong MicrosecondTicks = 1_700_000_000_123_456;
    private const ulong BinaryTicks = (1024UL * 5) + 512 + 1; // 5.5 s and 1/1024 s in units of 2^-10 s
    private const long BinaryOffsetSeconds = 1_600_000_000;
    private const ulong NanosecondTicks = 1_700_000_000_987_654_321;
    private const ulong PicosecondTicks = 1_700_000_000_111_222_333;

    private static readonly byte[] EthernetData = Filled(60, 0xE0);
    private static readonly byte[] RawData = Filled(41, 0xA0);
    private static readonly byte[] SimpleData = Filled(64, 0x50);
    private static readonly byte[] ObsoleteData = Filled(10, 0x0B);
    private static readonly byte[] CookedData = Filled(33, 0xC0);

    [Fact]
    public void Every_packet_block_of_both_sections_is_read_in_order()
    {
        var frames = CapturedFrame.ReadAll(TwoSections().File);

        Assert.Equal([EthernetData, RawData, SimpleData, ObsoleteData, CookedData], frames.Select(f => f.Data));
    }

    [Fact]
    public void Each_section_is_read_in_its_own_byte_order()
    {
        var frames = CapturedFrame.ReadAll(TwoSections().File);

        // The last frame comes from the big-endian section: its length, link type and time read right.
        Assert.Equal(LinkType.LinuxSll2, frames[4].LinkType);
        Assert.Equal(CookedData.Length, frames[4].OriginalLength);
        Assert.Equal((long)NanosecondTicks, frames[4].TimestampNs);
    }

    [Fact]
    public void Each_interface_has_its_own_link_type()
    {
        var frames = CapturedFrame.ReadAll(TwoSections().File);

        Assert.Equal(
            [(LinkType.Ethernet, 0), (LinkType.Raw, 1), (LinkType.Ethernet, 0), (LinkType.Raw, 1), (LinkType.LinuxSll2, 0)],
            frames.Select(f => (f.LinkType, f.InterfaceId)));
    }

    [Fact]
    public void Timestamps_follow_each_interfaces_resolution_and_offset()
    {
        var frames = CapturedFrame.ReadAll(TwoSections().File);

        Assert.Equal(Nanoseconds(MicrosecondTicks, BigInteger.Pow(10, 6), 0), frames[0].TimestampNs);
        Assert.Equal(Nanoseconds(BinaryTicks, 1024, BinaryOffsetSeconds), frames[1].TimestampNs);
        Assert.Equal(1_600_000_005_500_976_562, frames[1].TimestampNs); // 5.5 s + 1/1024 s after the offset
        Assert.Equal(Nanoseconds(BinaryTicks * 2, 1024, BinaryOffsetSeconds), frames[3].TimestampNs);
    }

    [Fact]
    public void A_resolution_finer_than_a_nanosecond_is_divided_down()
    {
        var file = new HandMadePcapNg()
            .Section(bigEndian: false)
            .Interface(101, tsresol: 12)
            .Enhanced(0, PicosecondTicks, RawData)
            .ToArray();

        var frame = Assert.Single(CapturedFrame.ReadAll(file));

        Assert.Equal(Nanoseconds(PicosecondTicks, BigInteger.Pow(10, 12), 0), frame.TimestampNs);
    }

    [Fact]
    public void A_simple_packet_block_uses_interface_0_and_its_snap_length()
    {
        var frames = CapturedFrame.ReadAll(TwoSections().File);

        // Interface 0 has a snap length of 64: the 100-byte packet was stored cut to 64 bytes.
        Assert.Equal(LinkType.Ethernet, frames[2].LinkType);
        Assert.Equal(100, frames[2].OriginalLength);
        Assert.Equal(64, frames[2].Data.Length);
    }

    [Fact]
    public void A_simple_packet_block_takes_the_time_of_the_packet_before_it()
    {
        var frames = CapturedFrame.ReadAll(TwoSections().File);

        Assert.Equal(frames[1].TimestampNs, frames[2].TimestampNs);
    }

    [Fact]
    public void File_offsets_are_those_of_the_packet_blocks()
    {
        var layout = TwoSections();

        var frames = CapturedFrame.ReadAll(layout.File);

        Assert.Equal(layout.PacketBlocks, frames.Select(f => f.FileOffset));
    }

    [Fact]
    public void An_unknown_block_is_skipped_with_one_warning_naming_its_type_and_offset()
    {
        var layout = TwoSections();

        CapturedFrame.ReadAll(layout.File, out var warnings);

        var warning = Assert.Single(warnings);
        Assert.Contains("unknown type 0x00000F00", warning, StringComparison.Ordinal);
        Assert.Contains($"offset {layout.UnknownBlock}", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_section_forgets_the_interfaces_of_the_one_before()
    {
        var file = new HandMadePcapNg()
            .Section(bigEndian: false).Interface(1).Interface(101)
            .Section(bigEndian: true).Interface(1)
            .Enhanced(1, 0, RawData);
        var epb = file.BlockOffsets[^1];

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(file.ToArray()));

        Assert.Equal(epb, ex.Offset);
        Assert.Contains("refers to interface 1, but its section describes 1 interface(s)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_packet_on_an_undefined_interface_is_an_error_at_its_block()
    {
        var file = new HandMadePcapNg().Section(false).Interface(1).Enhanced(0, 0, RawData).Enhanced(7, 0, RawData);

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(file.ToArray()));

        Assert.Equal(file.BlockOffsets[^1], ex.Offset);
        Assert.Contains($"at byte offset {file.BlockOffsets[^1]}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_simple_packet_before_any_interface_is_an_error()
    {
        var file = new HandMadePcapNg().Section(false).Simple(10, new byte[10]);

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(file.ToArray()));

        Assert.Contains("describes 0 interface(s)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30u, "not a multiple of 4")]
    [InlineData(8u, "less than the 12 bytes")]
    [InlineData(0x2000_0000u, "more than any block can hold")]
    public void An_impossible_block_length_is_an_error_at_its_block(uint length, string problem)
    {
        var file = new HandMadePcapNg().Section(false).Interface(1).Enhanced(0, 0, RawData);
        var bytes = file.ToArray();
        var epb = file.BlockOffsets[^1];
        BitConverter.TryWriteBytes(bytes.AsSpan(epb + 4), length);

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(bytes));

        Assert.Equal(epb, ex.Offset);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trailing_length_that_differs_from_the_leading_one_is_an_error()
    {
        var file = new HandMadePcapNg().Section(false).Interface(1).Enhanced(0, 0, RawData).Enhanced(0, 0, RawData);
        var bytes = file.ToArray();
        var last = file.BlockOffsets[^1];
        bytes[^4] ^= 0x04;

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(bytes));

        Assert.Equal(last, ex.Offset);
        Assert.Contains("at its end", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_captured_length_larger_than_its_block_is_an_error()
    {
        var file = new HandMadePcapNg().Section(false).Interface(1).Enhanced(0, 0, RawData, capturedLength: 400);

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(file.ToArray()));

        Assert.Contains("400 captured bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_byte_order_magic_is_an_error()
    {
        var bytes = new HandMadePcapNg().Section(false).Interface(1).ToArray();
        bytes[8] = 0x11;

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(bytes));

        Assert.Equal(8, ex.Offset);
        Assert.Contains("byte-order magic 11 3C 2B 1A", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_section_of_an_unknown_major_version_is_an_error()
    {
        var bytes = new HandMadePcapNg().Section(false, major: 2).ToArray();

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(bytes));

        Assert.Contains("version 2.0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_interface_option_running_past_its_block_is_an_error()
    {
        var file = new HandMadePcapNg().Section(false).Interface(1, tsresol: 9);
        var bytes = file.ToArray();
        var idb = file.BlockOffsets[^1];

        // The if_name option's length (at 16 + 2 in the block) now claims 200 bytes.
        bytes[idb + 18] = 200;

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(bytes));

        Assert.Equal(idb + 16, ex.Offset);
        Assert.Contains("runs past the end of its block", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Section 1, little-endian: Ethernet (snap 64, microseconds) and raw IP (2^-10 s, offset 1.6e9 s) interfaces,
    /// an EPB on each, an unknown block, a name-resolution block, an SPB, an obsolete packet block, an interface
    /// statistics block. Section 2, big-endian: Linux cooked v2 in nanoseconds, one EPB.
    /// </summary>
    private static Layout TwoSections()
    {
        var b = new HandMadePcapNg()
            .Section(bigEndian: false)
            .Interface(1, snapLength: 64, tsresol: 6)
            .Interface(101, snapLength: 0, tsresol: 0x8A, tsoffset: BinaryOffsetSeconds);
        List<long> packetBlockOffsets = [];
        b.Enhanced(0, MicrosecondTicks, EthernetData, originalLength: 80);
        packetBlockOffsets.Add(b.BlockOffsets[^1]);
        b.Enhanced(1, BinaryTicks, RawData);
        packetBlockOffsets.Add(b.BlockOffsets[^1]);
        b.Block(0x0000_0F00, new byte[8]);
        var unknownBlock = b.BlockOffsets[^1];
        b.Block(4, [0, 0, 0, 0]);
        b.Simple(100, SimpleData);
        packetBlockOffsets.Add(b.BlockOffsets[^1]);
        b.Obsolete(1, BinaryTicks * 2, ObsoleteData);
        packetBlockOffsets.Add(b.BlockOffsets[^1]);
        b.Block(5, new byte[12]);
        b.Section(bigEndian: true).Interface(276, tsresol: 9);
        b.Enhanced(0, NanosecondTicks, CookedData);
        packetBlockOffsets.Add(b.BlockOffsets[^1]);
        return new Layout(b.ToArray(), packetBlockOffsets, unknownBlock);
    }

    private sealed record Layout(byte[] File, List<long> PacketBlocks, int UnknownBlock);

    private static long Nanoseconds(ulong ticks, BigInteger unitsPerSecond, long offsetSeconds) =>
        (long)((new BigInteger(ticks) * 1_000_000_000 / unitsPerSecond) + (new BigInteger(offsetSeconds) * 1_000_000_000));

    private static byte[] Filled(int length, byte start) =>
        Enumerable.Range(0, length).Select(i => (byte)(start + i)).ToArray();
}
