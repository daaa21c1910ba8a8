using Linger.Flows;
using Linger.Flows.Internal;

namespace Linger.Tests.Flows;

/// <summary>Linger's verdict for each way a conversation can end, from hand-built packets and from the rule itself.</summary>
public sealed class VerdictTests
{
    [Fact]
    public void A_SYN_answered_by_RST_is_refused()
    {
        var c = new TcpScript().C("S").S("RA", seq: 0).Single();

        Assert.Equal(Verdict.Refused, c.Verdict);
        Assert.Null(c.ResetBy);
        Assert.Equal(1, c.ResetFrame);
    }

    [Fact]
    public void A_SYN_answered_by_a_bare_RST_is_refused_too()
    {
        var c = new TcpScript().C("S").S("R", seq: 0).Single();

        Assert.Equal(Verdict.Refused, c.Verdict);
    }

    [Fact]
    public void A_SYN_nobody_answers_is_unanswered()
    {
        var c = new TcpScript().C("S").C("S", seq: 1000, dt: 1).C("S", seq: 1000, dt: 2).Single();

        Assert.Equal(Verdict.Unanswered, c.Verdict);
        Assert.Equal(3, c.PacketsClient);
        Assert.Equal(0, c.PacketsServer);
    }

    [Fact]
    public void A_client_giving_up_on_an_unanswered_SYN_is_still_unanswered()
    {
        var c = new TcpScript().C("S").C("R", seq: 1001, dt: 3).Single();

        Assert.Equal(Verdict.Unanswered, c.Verdict);
    }

    [Fact]
    public void FINs_from_both_sides_are_a_close()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("FA").S("FA").C("A").Single();

        Assert.Equal(Verdict.Closed, c.Verdict);
        Assert.Null(c.ResetBy);
        Assert.Equal(-1, c.ResetFrame);
    }

    [Fact]
    public void A_FIN_from_one_side_only_is_half_closed()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("A").C("FA").S("A").Single();

        Assert.Equal(Verdict.HalfClosed, c.Verdict);
    }

    [Fact]
    public void A_RST_after_data_is_a_reset()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("A").S("RA").Single();

        Assert.Equal(Verdict.Reset, c.Verdict);
        Assert.Equal(Side.Server, c.ResetBy);
    }

    [Fact]
    public void A_RST_after_both_FINs_leaves_the_close_graceful()
    {
        var c = new TcpScript().Handshake().C("PA", 10).S("PA", 20).C("FA").S("FA").S("R", dt: 0.5).Single();

        Assert.Equal(Verdict.Closed, c.Verdict);
    }

    [Fact]
    public void FIN_and_RST_in_one_segment_is_a_reset_without_FIN_first()
    {
        var c = new TcpScript().Handshake().C("PA", 10).S("PA", 20).S("FRA").Single();

        Assert.Equal(Verdict.Reset, c.Verdict);
        Assert.Equal(Side.Server, c.ResetBy);
        Assert.False(c.AfterFin);
    }

    [Fact]
    public void An_established_conversation_without_FIN_or_RST_is_open()
    {
        var c = new TcpScript().Handshake().C("PA", 10).S("PA", 20).Single();

        Assert.Equal(Verdict.Open, c.Verdict);
        Assert.Equal(TrackingEnd.EndOfInput, c.TrackingEnded);
    }

    [Fact]
    public void Traffic_without_handshake_close_or_reset_is_midstream_with_a_guessed_client()
    {
        var c = new TcpScript().S("PA", 60).C("PA", 50).C("A").Single();

        Assert.Equal(Verdict.Midstream, c.Verdict);
        Assert.True(c.ClientIsGuess);
        Assert.Equal("10.0.0.1:50000", c.Client.ToString());
        Assert.Equal("10.0.0.2:80", c.Server.ToString());
    }

    [Fact]
    public void Midstream_traffic_that_resets_is_a_reset()
    {
        var c = new TcpScript().C("PA", 50).S("PA", 60).S("R").Single();

        Assert.Equal(Verdict.Reset, c.Verdict);
        Assert.Equal(Side.Server, c.ResetBy);
        Assert.True(c.ClientIsGuess);
    }

    [Fact]
    public void A_client_seen_only_through_the_SYN_ACK_is_not_a_guess()
    {
        var c = new TcpScript().S("SA").C("A").C("PA", 10).S("PA", 20).Single();

        Assert.False(c.ClientIsGuess);
        Assert.Equal("10.0.0.1:50000", c.Client.ToString());
        Assert.Equal(Verdict.Open, c.Verdict);
    }

    [Theory]
    // Unanswered: the client's SYN and nothing from the server.
    [InlineData(1, 0, -1, -1, -1, 0, -1, -1, -1, -1, Verdict.Unanswered, null)]
    // Refused: the server's RST answers the SYN before any SYN-ACK.
    [InlineData(1, 0, -1, -1, -1, 1, -1, -1, -1, 1, Verdict.Refused, null)]
    // A server RST after its SYN-ACK is a reset, not a refusal.
    [InlineData(2, 0, -1, -1, -1, 2, -1, 1, -1, 3, Verdict.Reset, Side.Server)]
    // The earliest RST decides who reset.
    [InlineData(3, 0, -1, -1, 5, 3, -1, 1, -1, 6, Verdict.Reset, Side.Client)]
    // A RST after both FINs: closed.
    [InlineData(3, 0, -1, 4, -1, 3, -1, 1, 5, 6, Verdict.Closed, null)]
    // A RST after one FIN: reset.
    [InlineData(3, 0, -1, -1, -1, 3, -1, 1, 4, 6, Verdict.Reset, Side.Server)]
    [InlineData(3, 0, -1, 4, -1, 3, -1, 1, 5, -1, Verdict.Closed, null)]
    [InlineData(3, 0, -1, 4, -1, 3, -1, 1, -1, -1, Verdict.HalfClosed, null)]
    [InlineData(3, 0, -1, -1, -1, 3, -1, 1, -1, -1, Verdict.Open, null)]
    // No SYN: a SYN-ACK answered by the client is a seen handshake; plain traffic is midstream.
    [InlineData(2, -1, -1, -1, -1, 2, -1, 0, -1, -1, Verdict.Open, null)]
    [InlineData(2, -1, -1, -1, -1, 2, -1, -1, -1, -1, Verdict.Midstream, null)]
    public void The_verdict_rule_decides_from_the_two_sides(
        long cPackets, long cSyn, long cSynAck, long cFin, long cRst,
        long sPackets, long sSyn, long sSynAck, long sFin, long sRst, Verdict expected, Side? expectedResetBy)
    {
        var client = new SideFacts(cPackets, cSyn, cSynAck, cFin, cRst);
        var server = new SideFacts(sPackets, sSyn, sSynAck, sFin, sRst);

        Assert.Equal(expected, VerdictRule.Decide(in client, in server, out var resetBy));
        Assert.Equal(expectedResetBy, resetBy);
    }

    [Theory]
    [InlineData(50000, 80, 0, 0)] // the well-known port is the server
    [InlineData(80, 50000, 0, 1)]
    [InlineData(40000, 8080, 0, 0)] // neither well known: the higher port is the client
    [InlineData(8080, 40000, 1, 1)]
    [InlineData(443, 25, 1, 0)] // both well known: the higher port is the client
    [InlineData(7000, 7000, 1, 1)] // equal ports: the first sender
    [InlineData(7000, 7000, 0, 0)]
    public void The_midstream_rule_guesses_the_client(int port0, int port1, int firstSender, int expectedClient)
    {
        var client = ClientRule.Choose(-1, -1, (ushort)port0, (ushort)port1, firstSender, out var guess);

        Assert.Equal(expectedClient, client);
        Assert.True(guess);
    }

    [Fact]
    public void The_SYN_sender_is_the_client_whatever_the_ports()
    {
        Assert.Equal(1, ClientRule.Choose(1, 0, 50000, 80, 0, out var guess));
        Assert.False(guess);
        Assert.Equal(1, ClientRule.Choose(-1, 0, 80, 50000, 0, out guess));
        Assert.False(guess);
    }
}
