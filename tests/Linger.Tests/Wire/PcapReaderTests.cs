using Linger.Tests.Wire.Support;
using Linger.Wire;
using Linger.Wire.Files;

namespace Linger.Tests.Wire;

/// <summary>Classic pcap files laid out by hand: both magics, both byte orders, and damaged headers.</summary>
public sealed class PcapReaderTests
{
    private static readonly HandMadePcap.Record[] Records =
    [
        new(1_700_000_000, 1, [1, 2, 3], 3),
        new(1_700_000_001, 999_999, new byte[100], 1500),
        new(4_000_000_000, 123_456, [], 0), // seconds are unsigned: after 2038
    ];

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Records_are_read_in_either_byte_order_with_microsecond_or_nanosecond_fractions(bool bigEndian, bool nanosecond)
    {
        var frames = CapturedFrame.ReadAll(HandMadePcap.File(bigEndian, nanosecond, 113, Records));

        Assert.Equal(Records.Length, frames.Count);
        var offset = 24L;
        for (var i = 0; i < Records.Length; i++)
        {
            var r = Records[i];
            var f = frames[i];
            Assert.Equal((long)r.Seconds * 1_000_000_000 + r.Fraction * (nanosecond ? 1L : 1000L), f.TimestampNs);
            Assert.Equal(LinkType.LinuxSll, f.LinkType);
            Assert.Equal(r.Data, f.Data);
            Assert.Equal((int)r.OriginalLength, f.OriginalLength);
            Assert.Equal(0, f.InterfaceId);
            Assert.Equal(offset, f.FileOffset);
            offset += 16 + r.Data.Length;
        }
    }

    [Fact]
    public void The_FCS_bits_of_the_link_type_field_do_not_change_the_link_type()
    {
        // LT_FCS_LENGTH_PRESENT with a 4-byte FCS, over Ethernet.
        var frames = CapturedFrame.ReadAll(HandMadePcap.File(false, false, 0x4400_0001, Records));

        Assert.All(frames, f => Assert.Equal(LinkType.Ethernet, f.LinkType));
    }

    [Fact]
    public void A_header_only_file_has_no_frames_and_no_warnings()
    {
        var frames = CapturedFrame.ReadAll(HandMadePcap.File(false, false, 1, []), out var warnings);

        Assert.Empty(frames);
        Assert.Empty(warnings);
    }

    [Fact]
    public void An_unknown_format_version_is_an_error_naming_the_version()
    {
        var file = HandMadePcap.File(false, false, 1, Records);
        file[4] = 3;

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(file));

        Assert.Contains("version 3.4", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, ex.Offset);
    }

    [Fact]
    public void A_file_cut_inside_its_header_is_an_error()
    {
        var file = HandMadePcap.File(false, false, 1, Records)[..20];

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(file));

        Assert.Contains("ends after 20 bytes, inside the 24-byte pcap file header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absurd_record_length_is_an_error_at_that_record()
    {
        var file = HandMadePcap.File(true, false, 1, Records);
        var second = 24 + 16 + 3;
        file[second + 8] = 0x7F; // captured length 0x7F000064: about 2 GB

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(file));

        Assert.Equal(second, ex.Offset);
        Assert.Contains($"offset {second}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2130706532 captured bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_record_length_is_an_error_not_a_crash()
    {
        var file = HandMadePcap.File(false, false, 1, Records);
        var second = 24 + 16 + 3;
        file[second + 8] = 0xFF;
        file[second + 9] = 0xFF;
        file[second + 10] = 0xFF;
        file[second + 11] = 0xFF; // -1 as a signed 32-bit length

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(file));

        Assert.Equal(second, ex.Offset);
    }
}
