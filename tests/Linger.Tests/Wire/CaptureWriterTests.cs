using Linger.Tests.Support;
using Linger.Tests.Wire.Support;
using Linger.Wire;
using Linger.Wire.Files;

namespace Linger.Tests.Wire;

/// <summary>
/// Linger's pcapng and pcap writers: what they write reads back the same, and Wireshark's own reader (tshark)
/// agrees on every frame's time and lengths.
/// </summary>
public sealed class CaptureWriterTests : IDisposable
{
    private static readonly LinkType[] LinkTypes = [LinkType.Ethernet, LinkType.Raw, LinkType.LinuxSll, LinkType.Null, LinkType.LinuxSll2];

    private readonly string _dir = Directory.CreateTempSubdirectory("linger-writer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Pcapng_round_trip_keeps_every_frame_with_nanosecond_times_and_its_link_type()
    {
        var written = Frames(seed: 1, count: 5000, nanosecondTimes: true);
        var bytes = WritePcapNg(written);

        var read = CapturedFrame.ReadAll(bytes);

        Assert.Equal(written.Count, read.Count);
        for (var i = 0; i < written.Count; i++)
        {
            Assert.Equal(written[i].LinkType, read[i].LinkType);
            Assert.Equal(written[i].TimestampNs, read[i].TimestampNs);
            Assert.Equal(written[i].OriginalLength, read[i].OriginalLength);
            Assert.Equal(written[i].Data, read[i].Data);
        }
    }

    [Fact]
    public void Pcapng_writes_one_interface_per_link_type_and_snap_length()
    {
        using var output = new MemoryStream();
        using (var writer = new PcapNgWriter(output, leaveOpen: true))
        {
            writer.WriteFrame(LinkType.Ethernet, 1, [1], 1);
            writer.WriteFrame(LinkType.Raw, 2, [2], 1);
            writer.WriteFrame(LinkType.Ethernet, 96, 3, [3], 1);
            writer.WriteFrame(LinkType.Ethernet, 4, [4], 1);
            writer.WriteFrame(LinkType.Raw, 5, [5], 1);
        }

        var read = CapturedFrame.ReadAll(output.ToArray());

        Assert.Equal([0, 1, 2, 0, 1], read.Select(f => f.InterfaceId));
    }

    [Fact]
    public void Pcapng_keeps_a_frame_larger_than_any_buffer()
    {
        var big = new byte[3_000_001];
        new Random(3).NextBytes(big);
        using var output = new MemoryStream();
        using (var writer = new PcapNgWriter(output, leaveOpen: true))
        {
            writer.WriteFrame(LinkType.Raw, 0, 7, [9, 9], 2);
            writer.WriteFrame(LinkType.Raw, 0, 8, big, big.Length);
            writer.WriteFrame(LinkType.Raw, 0, 9, [8], 1);
        }

        var read = CapturedFrame.ReadAll(output.ToArray());

        Assert.Equal([2, big.Length, 1], read.Select(f => f.Data.Length));
        Assert.Equal(big, read[1].Data);
    }

    [Fact]
    public void Pcap_round_trip_keeps_every_frame_with_microsecond_times()
    {
        var written = Frames(seed: 2, count: 5000, nanosecondTimes: true, linkTypes: [LinkType.Ethernet]);
        using var output = new MemoryStream();
        using (var writer = new PcapWriter(output, LinkType.Ethernet, leaveOpen: true))
        {
            foreach (var f in written)
            {
                writer.WriteFrame(f.TimestampNs, f.Data, f.OriginalLength);
            }
        }

        var read = CapturedFrame.ReadAll(output.ToArray());

        Assert.Equal(written.Count, read.Count);
        for (var i = 0; i < written.Count; i++)
        {
            Assert.Equal(written[i].TimestampNs / 1000 * 1000, read[i].TimestampNs);
            Assert.Equal(written[i].OriginalLength, read[i].OriginalLength);
            Assert.Equal(written[i].Data, read[i].Data);
            Assert.Equal(LinkType.Ethernet, read[i].LinkType);
        }
    }

    [Fact]
    public void Writers_refuse_frames_that_cannot_be_stored()
    {
        using var pcapng = new PcapNgWriter(new MemoryStream());
        using var pcap = new PcapWriter(new MemoryStream(), LinkType.Raw, snapLength: 4);

        Assert.Throws<ArgumentOutOfRangeException>(() => pcapng.WriteFrame(LinkType.Raw, -1, [1], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => pcapng.WriteFrame(LinkType.Raw, 0, [1, 2], 1));
        Assert.Throws<ArgumentException>(() => pcapng.WriteFrame(LinkType.Raw, 2, 0, [1, 2, 3], 3));
        Assert.Throws<ArgumentException>(() => pcap.WriteFrame(0, [1, 2, 3, 4, 5], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => pcap.WriteFrame(5_000_000_000L * 1_000_000_000, [1], 1));
    }

    [LinuxFact]
    public async Task Wireshark_reads_our_pcapng_with_the_same_times_and_lengths()
    {
        var written = Frames(seed: 4, count: 300, nanosecondTimes: true);
        var file = Path.Combine(_dir, "ours.pcapng");
        await File.WriteAllBytesAsync(file, WritePcapNg(written));

        var rows = await Tshark.FieldsAsync(file, null, "frame.time_epoch", "frame.len", "frame.cap_len", "frame.interface_id");

        // One interface per link type, numbered in the order they first appear.
        var interfaces = written.Select(f => f.LinkType).Distinct().ToList();
        Assert.Equal(written.Count, rows.Length);
        for (var i = 0; i < written.Count; i++)
        {
            Assert.Equal(written[i].TimestampNs, Tshark.EpochToNanoseconds(rows[i][0]));
            Assert.Equal(written[i].OriginalLength, Tshark.Int(rows[i][1]));
            Assert.Equal(written[i].Data.Length, Tshark.Int(rows[i][2]));
            Assert.Equal(interfaces.IndexOf(written[i].LinkType), Tshark.Int(rows[i][3]));
        }
    }

    [LinuxFact]
    public async Task Wireshark_reads_our_pcap_with_the_same_times_and_lengths()
    {
        var written = Frames(seed: 5, count: 300, nanosecondTimes: false, linkTypes: [LinkType.LinuxSll]);
        var file = Path.Combine(_dir, "ours.pcap");
        using (var writer = new PcapWriter(File.Create(file), LinkType.LinuxSll))
        {
            foreach (var f in written)
            {
                writer.WriteFrame(f.TimestampNs, f.Data, f.OriginalLength);
            }
        }

        var rows = await Tshark.FieldsAsync(file, null, "frame.time_epoch", "frame.len", "frame.cap_len");

        Assert.Equal(written.Count, rows.Length);
        for (var i = 0; i < written.Count; i++)
        {
            Assert.Equal(written[i].TimestampNs, Tshark.EpochToNanoseconds(rows[i][0]));
            Assert.Equal(written[i].OriginalLength, Tshark.Int(rows[i][1]));
            Assert.Equal(written[i].Data.Length, Tshark.Int(rows[i][2]));
        }
    }

    private static byte[] WritePcapNg(List<CapturedFrame> frames)
    {
        using var output = new MemoryStream();
        using (var writer = new PcapNgWriter(output, leaveOpen: true))
        {
            foreach (var f in frames)
            {
                writer.WriteFrame(f.LinkType, f.TimestampNs, f.Data, f.OriginalLength);
            }
        }

        return output.ToArray();
    }

    /// <summary>Random frames: sizes 0..1600 (some cut short of their original length), increasing times.</summary>
    private static List<CapturedFrame> Frames(int seed, int count, bool nanosecondTimes, LinkType[]? linkTypes = null)
    {
        linkTypes ??= LinkTypes;
        var random = new Random(seed);
        var time = 1_700_000_000_000_000_000L + random.NextInt64(1_000_000_000_000);
        var frames = new List<CapturedFrame>(count);
        for (var i = 0; i < count; i++)
        {
            time += random.NextInt64(1, 2_000_000_000);
            var t = nanosecondTimes ? time : time / 1000 * 1000;
            var data = new byte[random.Next(0, 1601)];
            random.NextBytes(data);
            var original = data.Length + (random.Next(4) == 0 ? random.Next(1, 9000) : 0);
            frames.Add(new CapturedFrame(linkTypes[random.Next(linkTypes.Length)], t, original, data, 0, 0));
        }

        return frames;
    }
}
