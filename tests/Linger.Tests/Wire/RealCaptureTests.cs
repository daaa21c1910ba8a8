using System.Globalization;
using Linger.Tests.Support;
using Linger.Tests.Wire.Support;
using Linger.Wire;
using Linger.Wire.Files;

namespace Linger.Tests.Wire;

/// <summary>
/// Captures of real loopback traffic (graceful closes over IPv4 and IPv6, an abortive close, a refused connect),
/// written during the test by tcpdump and by tshark, read by Linger and by tshark: the two readers must agree on
/// every frame, every TCP header and every conversation.
/// </summary>
public abstract class RealCaptureTests(LoopbackCapture capture)
{
    protected LoopbackCapture Capture { get; } = capture;

    [RootFact]
    public void The_capture_holds_exactly_the_conversations_the_test_made()
    {
        var (_, packets, _) = Capture.ReadWithLinger();

        var seen = packets.Select(Conversation.Of).ToHashSet();

        Assert.True(
            Capture.MadeConversations.SetEquals(seen),
            $"made: {string.Join(", ", Capture.MadeConversations)}; seen: {string.Join(", ", seen)}; capturer said: {Capture.CapturerLog}");
    }

    [RootFact]
    public void The_number_of_frames_agrees_with_tshark()
    {
        var (times, _, stats) = Capture.ReadWithLinger();

        Assert.Equal(Capture.TsharkFrames.Length, times.Count);
        Assert.Equal(times.Count, stats.Frames);
    }

    [RootFact]
    public void The_number_of_TCP_packets_agrees_with_tshark()
    {
        var (_, packets, stats) = Capture.ReadWithLinger();

        Assert.Equal(Capture.TsharkTcp.Length, packets.Count);
        Assert.Equal(packets.Count, stats.Tcp);
    }

    [RootFact]
    public void The_number_of_TCP_conversations_agrees_with_tsharks_conversation_table()
    {
        var (_, packets, _) = Capture.ReadWithLinger();

        Assert.Equal(Capture.TsharkConversations.Length, packets.Select(Conversation.Of).Distinct().Count());
    }

    [RootFact]
    public void Every_frame_time_agrees_with_tshark_to_the_nanosecond()
    {
        var (times, _, _) = Capture.ReadWithLinger();

        Assert.Equal(Capture.TsharkFrames.Select(row => Tshark.EpochToNanoseconds(row[1])), times);
    }

    [RootFact]
    public void Every_TCP_header_decodes_as_tshark_decodes_it()
    {
        var (_, packets, _) = Capture.ReadWithLinger();

        Assert.Equal(Capture.TsharkTcp.Length, packets.Count);
        for (var i = 0; i < packets.Count; i++)
        {
            var row = Capture.TsharkTcp[i];
            var p = packets[i];
            var ours = string.Join(' ', p.FrameNumber, p.SourcePort, p.DestinationPort, p.Sequence, p.Acknowledgment, (int)p.Flags, p.PayloadLength, p.Window, p.Ttl, p.IpId, p.WindowScale);
            var theirs = string.Join(
                ' ',
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                Hex(row[5]) & 0xFF,
                row[6],
                row[7],
                row[8].Length > 0 ? row[8] : row[9],
                row[10].Length > 0 ? Hex(row[10]) : 0,
                row[11].Length > 0 ? row[11] : "-1");
            Assert.Equal(theirs, ours);
        }
    }

    [RootFact]
    public void Both_address_families_and_every_ending_are_in_the_capture()
    {
        var (_, packets, _) = Capture.ReadWithLinger();

        Assert.Contains(packets, p => p.Source.IsV6);
        Assert.Contains(packets, p => !p.Source.IsV6);
        Assert.Contains(packets, p => p.Has(TcpFlags.Fin));
        Assert.Contains(packets, p => p.Has(TcpFlags.Rst) && p.Has(TcpFlags.Ack));
        Assert.Contains(packets, p => p.Has(TcpFlags.Syn) && p.WindowScale >= 0);
    }

    private static int Hex(string value) => int.Parse(value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}

/// <summary>tcpdump's classic pcap, microsecond times.</summary>
public sealed class TcpdumpCaptureTests(TcpdumpCapture capture) : RealCaptureTests(capture), IClassFixture<TcpdumpCapture>
{
    [RootFact]
    public void The_file_is_classic_pcap_with_the_microsecond_magic()
    {
        Assert.Equal([0xD4, 0xC3, 0xB2, 0xA1], File.ReadAllBytes(Capture.File)[..4]);
    }

    [RootFact]
    public void Frames_cut_by_the_snap_length_keep_their_wire_and_payload_lengths()
    {
        var (_, packets, _) = Capture.ReadWithLinger();
        using var source = CaptureFile.Open(Capture.File);
        var frames = CapturedFrame.ReadAll(source);

        Assert.Contains(frames, f => f.Data.Length <= 300 && f.OriginalLength > f.Data.Length);
        Assert.All(frames, f => Assert.InRange(f.Data.Length, 0, 300));
        Assert.Contains(packets, p => p.PayloadLength > 300 && p.WireLength > 300);
    }
}

/// <summary>tcpdump's classic pcap with <c>--time-stamp-precision nano</c>.</summary>
public sealed class TcpdumpNanosecondCaptureTests(TcpdumpNanosecondCapture capture) : RealCaptureTests(capture), IClassFixture<TcpdumpNanosecondCapture>
{
    [RootFact]
    public void The_file_is_classic_pcap_with_the_nanosecond_magic()
    {
        Assert.Equal([0x4D, 0x3C, 0xB2, 0xA1], File.ReadAllBytes(Capture.File)[..4]);
    }
}

/// <summary>tshark's (dumpcap's) pcapng.</summary>
public sealed class TsharkCaptureTests(TsharkCapture capture) : RealCaptureTests(capture), IClassFixture<TsharkCapture>
{
    [RootFact]
    public void The_file_is_pcapng()
    {
        Assert.Equal([0x0A, 0x0D, 0x0D, 0x0A], File.ReadAllBytes(Capture.File)[..4]);
    }
}
