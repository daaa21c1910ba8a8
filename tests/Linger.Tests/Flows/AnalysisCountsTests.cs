using Linger.Flows;

namespace Linger.Tests.Flows;

/// <summary>
/// Counts of Wireshark's tcp.analysis events, with the expectations taken from Wireshark's rules
/// (packet-tcp.c, tcp_analyze_sequence_number), cited in each test.
/// </summary>
public sealed class AnalysisCountsTests
{
    [Fact]
    public void A_clean_conversation_has_no_analysis_events()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("A").C("FA").S("FA").C("A").Single();

        Assert.Equal(new AnalysisCounts(), c.Counts);
    }

    [Fact]
    public void Data_sent_again_long_after_is_a_retransmission()
    {
        // Payload below the next expected sequence number, 200 ms after it (beyond the 2 ms handshake RTT), with
        // no duplicate ACKs: "it has to be a generic retransmission".
        var c = new TcpScript().Handshake().C("PA", 100).C("PA", 100, seq: 1001, dt: 0.2).S("A").Single();

        Assert.Equal(1, c.Counts.Retransmissions);
        Assert.Equal(0, c.Counts.OutOfOrder);
        Assert.Equal(0, c.Counts.FastRetransmissions);
    }

    [Fact]
    public void An_earlier_segment_arriving_within_the_handshake_RTT_is_out_of_order()
    {
        // Handshake RTT 20 ms (SYN to first ACK); the segment below the next expected sequence number comes 0.5 ms
        // after the highest one and does not end where it does: out of order.
        var c = new TcpScript().C("S").S("SA", dt: 0.01).C("A", dt: 0.01)
            .C("PA", 100, seq: 1101).C("PA", 100, seq: 1001, dt: 0.0005).S("A").Single();

        Assert.Equal(1, c.Counts.OutOfOrder);
        Assert.Equal(0, c.Counts.Retransmissions);
    }

    [Fact]
    public void Duplicate_ACKs_then_the_missing_segment_is_a_fast_retransmission()
    {
        // The segment at 1101 is lost before the capture point. The server's ACKs of 1101 after the first repeat
        // window, sequence and acknowledgment with no data: duplicate ACKs. The client then sends 1101 within 20 ms of
        // the last one, with at least 2 duplicates counted: a fast retransmission (which tcp.analysis.retransmission
        // also marks).
        var c = new TcpScript().Handshake()
            .C("PA", 100)
            .C("PA", 100, seq: 1201)
            .S("A", ack: 1101)
            .C("PA", 100, seq: 1301)
            .S("A", ack: 1101)
            .C("PA", 100, seq: 1401)
            .S("A", ack: 1101)
            .S("A", ack: 1101)
            .C("PA", 100, seq: 1101)
            .S("A")
            .Single();

        Assert.Equal(3, c.Counts.DuplicateAcks);
        Assert.Equal(1, c.Counts.FastRetransmissions);
        Assert.Equal(1, c.Counts.Retransmissions);
    }

    [Fact]
    public void A_retransmitted_SYN_is_a_retransmission()
    {
        var c = new TcpScript().C("S").C("S", seq: 1000, dt: 1).Single();

        Assert.Equal(1, c.Counts.Retransmissions);
    }

    [Fact]
    public void A_retransmitted_FIN_is_a_retransmission()
    {
        var s = new TcpScript().Handshake().C("PA", 10).S("A").C("FA");
        var c = s.C("FA", seq: s.ClientNext - 1, dt: 0.2).S("FA").C("A").Single();

        Assert.Equal(1, c.Counts.Retransmissions);
    }

    [Fact]
    public void A_zero_window_advertisement_is_counted()
    {
        // Window 0 on a segment without SYN, FIN or RST.
        var c = new TcpScript().Handshake().C("PA", 100).S("A", window: 0).S("A", window: 500, dt: 0.5).Single();

        Assert.Equal(1, c.Counts.ZeroWindows);
        Assert.Equal(0, c.Counts.DuplicateAcks);
    }

    [Theory]
    [InlineData(0)] // Linux: no payload
    [InlineData(1)] // Windows: one garbage byte
    public void A_keep_alive_probe_is_counted_and_is_not_a_retransmission(int payload)
    {
        // 0 or 1 byte starting one byte before the next expected sequence number, without SYN, FIN or RST.
        var s = new TcpScript().Handshake().C("PA", 10).S("PA", 10).C("A");
        var c = s.Wait(75).C("A", payload, seq: s.ClientNext - 1).S("A").Single();

        Assert.Equal(1, c.Counts.KeepAlives);
        Assert.Equal(0, c.Counts.Retransmissions);
        Assert.Equal(0, c.Counts.DuplicateAcks);
    }

    [Fact]
    public void Data_filling_the_receivers_window_is_window_full()
    {
        // Window scaling negotiated (both SYNs carry the option, shift 0 here); the server's ACK leaves a window of
        // 1000 bytes and the client's segment ends exactly at its edge.
        var c = new TcpScript().C("S", scale: 0).S("SA", scale: 0).C("A")
            .C("PA", 100).S("A", window: 1000).C("PA", 1000).S("A").Single();

        Assert.Equal(1, c.Counts.WindowFull);
    }
}
