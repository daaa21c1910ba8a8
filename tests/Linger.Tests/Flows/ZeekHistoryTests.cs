using Linger.Flows;

namespace Linger.Tests.Flows;

/// <summary>
/// Hand-built conversations and the conn_state and history Zeek gives them. The expectations are worked out from
/// Zeek's TCP analyser (TCPSessionAdapter.cc: update_history, update_last_seq, Update*State, IsReuse;
/// TCP.cc: WantConnection; Conn.cc: FlipRoles) and conn_state (main.zeek), cited in each comment.
/// Letters: upper case for the originator, lower case for the responder; a, d, i, q once per direction; s, h, f, r
/// again only when the sequence number differs from the last of their kind; t and w at 1, 10, 100, ... times.
/// </summary>
public sealed class ZeekHistoryTests
{
    [Fact]
    public void A_graceful_close_is_SF_with_history_ShADadFf()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("A").S("PA", 200).C("A").C("FA").S("FA").C("A").Single();

        // S orig SYN, h resp SYN-ACK, A orig pure ACK, D orig data, a resp pure ACK, d resp data, F/f the FINs;
        // repeated ACKs add nothing. Both endpoints TCP_CLOSED: SF.
        Assert.Equal("ShADadFf", c.History);
        Assert.Equal(ZeekConnState.SF, c.ConnState);
    }

    [Fact]
    public void Byte_counts_come_from_the_sequence_space_without_SYN_and_FIN()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("A").S("PA", 200).C("A").C("FA").S("FA").C("A").Single();

        // TCP_Endpoint::Size: last_seq - start_seq, minus the SYN octet, minus the FIN octet.
        Assert.Equal(100, c.BytesClient);
        Assert.Equal(200, c.BytesServer);
    }

    [Fact]
    public void A_SYN_answered_by_RST_ACK_is_REJ_with_history_Sr()
    {
        var c = new TcpScript().C("S").S("RA", seq: 0).Single();

        // The responder's RST while the originator is TCP_SYN_SENT: resp RESET, os SYN_SENT -> REJ.
        Assert.Equal("Sr", c.History);
        Assert.Equal(ZeekConnState.REJ, c.ConnState);
    }

    [Fact]
    public void Retransmitted_SYNs_without_answer_are_S0_with_one_S()
    {
        var c = new TcpScript().C("S").C("S", seq: 1000, dt: 1).C("S", seq: 1000, dt: 2).Single();

        // The repeated SYNs carry the same relative sequence number as hist_last_SYN: no new 'S'.
        // os SYN_SENT, rs INACTIVE -> S0.
        Assert.Equal("S", c.History);
        Assert.Equal(ZeekConnState.S0, c.ConnState);
    }

    [Theory]
    [InlineData("R")]
    [InlineData("RA")]
    public void A_responder_RST_after_data_is_RSTR_with_or_without_ACK(string rstFlags)
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("A").Wait(30).S(rstFlags).Single();

        // r: the responder's RST (the ACK bit does not matter to update_history or the state machine).
        // UpdateEstablishedState: RST -> TCP_RESET; os ESTABLISHED -> RSTR.
        Assert.Equal("ShADdr", c.History);
        Assert.Equal(ZeekConnState.RSTR, c.ConnState);
    }

    [Fact]
    public void An_originator_RST_after_data_is_RSTO()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("RA").Single();

        // os RESET, rs ESTABLISHED (not inactive) -> RSTO.
        Assert.Equal("ShADdR", c.History);
        Assert.Equal(ZeekConnState.RSTO, c.ConnState);
    }

    [Fact]
    public void A_client_aborting_its_handshake_after_the_SYN_ACK_is_RSTO_with_history_ShR()
    {
        var c = new TcpScript().C("S").S("SA").C("R").Single();

        // The SYN-ACK moved the originator to ESTABLISHED (UpdateInactiveState), its RST to RESET; rs ESTABLISHED.
        Assert.Equal("ShR", c.History);
        Assert.Equal(ZeekConnState.RSTO, c.ConnState);
    }

    [Fact]
    public void A_SYN_then_the_originators_RST_is_RSTOS0()
    {
        var c = new TcpScript().C("S").C("R", seq: 1001, dt: 3).Single();

        // os RESET (from SYN_SENT), rs INACTIVE, history "SR" matches /^?S[^HAFGIQ]*R.*/ -> RSTOS0.
        Assert.Equal("SR", c.History);
        Assert.Equal(ZeekConnState.RSTOS0, c.ConnState);
    }

    [Fact]
    public void A_SYN_ACK_then_RST_from_a_server_port_is_flipped_and_RSTRH()
    {
        var c = new TcpScript().S("SA").S("R").Single();

        // WantConnection: the first packet is a SYN-ACK from 80 (a likely server port) to 50000 (not): flip, '^'.
        // The SYN-ACK is then the responder's: 'h'; its RST: 'r'. rs RESET, os INACTIVE -> RSTRH.
        Assert.Equal("^hr", c.History);
        Assert.Equal(ZeekConnState.RSTRH, c.ConnState);
        Assert.Equal(Side.Client, c.ZeekOriginator);
    }

    [Fact]
    public void A_SYN_then_the_originators_FIN_is_SH()
    {
        var c = new TcpScript().C("S").C("F", seq: 1001).Single();

        // UpdateSYN_SentState: FIN -> TCP_CLOSED; rs INACTIVE -> SH.
        Assert.Equal("SF", c.History);
        Assert.Equal(ZeekConnState.SH, c.ConnState);
    }

    [Fact]
    public void A_SYN_ACK_then_the_responders_FIN_is_SHR()
    {
        var c = new TcpScript().S("SA").S("FA").Single();

        // Flipped as above; the responder goes ESTABLISHED then CLOSED while the originator stays INACTIVE -> SHR.
        Assert.Equal("^hf", c.History);
        Assert.Equal(ZeekConnState.SHR, c.ConnState);
    }

    [Fact]
    public void An_established_conversation_that_is_not_closed_is_S1()
    {
        var c = new TcpScript().Handshake().C("PA", 10).S("PA", 20).Single();

        Assert.Equal("ShADd", c.History);
        Assert.Equal(ZeekConnState.S1, c.ConnState);
    }

    [Fact]
    public void Only_the_originator_closing_is_S2()
    {
        var c = new TcpScript().Handshake().C("PA", 10).S("A").C("FA").Single();

        // os CLOSED, rs ESTABLISHED -> S2.
        Assert.Equal("ShADaF", c.History);
        Assert.Equal(ZeekConnState.S2, c.ConnState);
    }

    [Fact]
    public void Only_the_responder_closing_is_S3()
    {
        var c = new TcpScript().Handshake().C("PA", 10).S("PA", 20).S("FA").C("A").Single();

        // rs CLOSED, os ESTABLISHED -> S3.
        Assert.Equal("ShADdf", c.History);
        Assert.Equal(ZeekConnState.S3, c.ConnState);
    }

    [Fact]
    public void Midstream_traffic_is_OTH()
    {
        var c = new TcpScript().C("PA", 50).S("PA", 60).C("A").Single();

        // No SYN: both endpoints TCP_PARTIAL -> OTH. The first packet comes from port 50000, so no flip.
        Assert.Equal("DdA", c.History);
        Assert.Equal(ZeekConnState.OTH, c.ConnState);
    }

    [Fact]
    public void Midstream_traffic_first_seen_from_a_server_port_is_flipped()
    {
        var c = new TcpScript().S("PA", 60).C("PA", 50).Single();

        // WantConnection: not a SYN, source port 80 likely a server, destination 50000 not: flip, '^'.
        Assert.Equal("^dD", c.History);
        Assert.Equal(ZeekConnState.OTH, c.ConnState);
        Assert.Equal(Side.Client, c.ZeekOriginator);
    }

    [Fact]
    public void A_SYN_ACK_seen_first_between_unlisted_ports_makes_the_server_Zeeks_originator()
    {
        var c = new TcpScript("10.0.0.1:40000", "10.0.0.2:5000").S("SA").C("A").C("PA", 10).S("PA", 20).Single();

        // No flip (5000 is not a likely server port): the SYN-ACK's sender is the originator, 'H', SYN_ACK_SENT.
        // The client's ACK is the responder's 'a' (it stays PARTIAL: the originator is not ESTABLISHED), then 'd',
        // then the originator's data 'D'. SYN_ACK_SENT / PARTIAL -> OTH.
        Assert.Equal("HadD", c.History);
        Assert.Equal(ZeekConnState.OTH, c.ConnState);
        Assert.Equal(Side.Server, c.ZeekOriginator);
        Assert.Equal("10.0.0.1:40000", c.Client.ToString());
        Assert.False(c.ClientIsGuess);
    }

    [Fact]
    public void A_SYN_arriving_after_its_own_SYN_ACK_flips_the_roles_and_establishes()
    {
        var s = new TcpScript("10.0.0.1:40000", "10.0.0.2:5000");
        var c = s.S("SA", ack: 1001).C("S").C("A").C("PA", 10).S("PA", 20).C("FA").S("FA").C("A").Single();

        // 'H' for the SYN-ACK as originator; the SYN from the responder gets 's' (CheckHistory as responder), then
        // UpdateInactiveState sees the originator in SYN_ACK_SENT and the SYN at its start: FlipRoles ('^'), both
        // ESTABLISHED. IsReuse had declined this SYN for the same reason. After the flip the client is the
        // originator: A, D; the server d; the FINs F, f -> SF.
        Assert.Equal("Hs^ADdFf", c.History);
        Assert.Equal(ZeekConnState.SF, c.ConnState);
        Assert.Equal(Side.Client, c.ZeekOriginator);
    }

    [Fact]
    public void A_SYN_ACK_first_from_a_server_port_gives_a_flipped_SF()
    {
        var c = new TcpScript().S("SA").C("A").C("PA", 10).S("PA", 20).C("FA").S("FA").C("A").Single();

        // Flip '^', the responder's 'h'; the originator's pure ACK while the responder is ESTABLISHED establishes it
        // ("just missed that initial SYN"): 'A', then D, d, F, f -> SF.
        Assert.Equal("^hADdFf", c.History);
        Assert.Equal(ZeekConnState.SF, c.ConnState);
    }

    [Fact]
    public void FIN_and_RST_in_one_segment_is_an_inconsistency_and_a_reset()
    {
        var c = new TcpScript().Handshake().C("PA", 10).S("PA", 20).S("FRA").Single();

        // Two of SYN/FIN/RST with FIN and RST: 'i' (HIST_FIN_RST_PKT), no 'f' or 'r'. UpdateEstablishedState ignores
        // the FIN when RST is set (fin && !rst) and resets: RSTR.
        Assert.Equal("ShADdi", c.History);
        Assert.Equal(ZeekConnState.RSTR, c.ConnState);
    }

    [Fact]
    public void A_retransmitted_FIN_adds_no_second_F()
    {
        var s = new TcpScript().Handshake().C("PA", 10).S("A").C("FA");
        var c = s.C("FA", seq: s.ClientNext - 1, dt: 0.2).S("FA").C("A").Single();

        // Same FIN sequence number as hist_last_FIN: no new 'F'; zero payload, so no 't' either.
        Assert.Equal("ShADaFf", c.History);
        Assert.Equal(ZeekConnState.SF, c.ConnState);
    }

    [Fact]
    public void A_simultaneous_close_is_SF()
    {
        var s = new TcpScript().Handshake().C("PA", 10).S("A");
        var clientFin = s.ClientNext;
        var c = s.C("FA").S("FA", ack: clientFin, dt: 0.0001).C("A").S("A").Single();

        Assert.Equal("ShADaFf", c.History);
        Assert.Equal(ZeekConnState.SF, c.ConnState);
    }

    [Fact]
    public void A_RST_after_both_FINs_keeps_SF_but_is_in_the_history()
    {
        var c = new TcpScript().Handshake().C("PA", 10).S("PA", 20).C("FA").S("FA").S("R", dt: 0.5).Single();

        // UpdateClosedState changes nothing on a RST once the peer is CLOSED too; update_history still adds 'r'.
        Assert.Equal("ShADdFfr", c.History);
        Assert.Equal(ZeekConnState.SF, c.ConnState);
    }

    [Fact]
    public void RSTs_are_recorded_again_only_when_their_sequence_number_changes()
    {
        var s = new TcpScript().Handshake().C("PA", 10).S("PA", 20);
        var c = s.S("R").S("R", dt: 0.0001).S("R", seq: s.ServerNext + 1460, dt: 0.0001).Single();

        // update_history: a RST adds 'r' again when its relative sequence number differs from hist_last_RST.
        Assert.Equal("ShADdrr", c.History);
    }

    [Fact]
    public void A_SYN_FIN_segment_is_a_multi_flag_packet()
    {
        var c = new TcpScript().C("SF").Single();

        // Two of SYN/FIN/RST, not FIN+RST: 'Q' (HIST_MULTI_FLAG_PKT). UpdateInactiveState: SYN -> SYN_SENT, then
        // FIN -> CLOSED; rs INACTIVE -> SH.
        Assert.Equal("Q", c.History);
        Assert.Equal(ZeekConnState.SH, c.ConnState);
    }

    [Fact]
    public void Retransmissions_appear_in_the_history_at_1_and_10()
    {
        var s = new TcpScript().Handshake().C("PA", 100);
        for (var i = 0; i < 10; i++)
        {
            s.C("PA", 100, seq: 1001, dt: 0.3);
        }

        var c = s.S("A").Single();

        // update_last_seq: payload that does not advance last_seq -> DidRxmit; ScaledHistoryEntry adds 'T' at the
        // 1st and 10th occurrence.
        Assert.Equal("ShADTTa", c.History);
    }

    [Fact]
    public void A_zero_window_advertisement_adds_w()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("A", window: 0).Single();

        // update_history first ('a'), then update_window: window 0, no RST, peer not CLOSED -> ZeroWindow 'w'.
        Assert.Equal("ShADaw", c.History);
    }

    [Fact]
    public void A_Linux_keep_alive_adds_nothing_and_a_Windows_one_counts_as_retransmission()
    {
        var linux = new TcpScript().Handshake().C("PA", 10).S("PA", 10).C("A");
        var linuxSummary = linux.Wait(75).C("A", seq: linux.ClientNext - 1).S("A").Single();

        var windows = new TcpScript().Handshake().C("PA", 10).S("PA", 10).C("A");
        var windowsSummary = windows.Wait(75).C("A", 1, seq: windows.ClientNext - 1).S("A").Single();

        // A 0-byte probe one byte back is no data: no letter. A 1-byte probe is payload that does not advance
        // last_seq: DidRxmit, 'T'.
        Assert.Equal("ShADda", linuxSummary.History);
        Assert.Equal("ShADdTa", windowsSummary.History);
    }

    [Fact]
    public void IPv6_conversations_are_tracked_alike()
    {
        var c = new TcpScript("[2001:db8::1]:50000", "[2001:db8::2]:443").Handshake().C("PA", 100).S("PA", 200)
            .C("FA").S("FA").C("A").Single();

        Assert.Equal("ShADdFf", c.History);
        Assert.Equal(ZeekConnState.SF, c.ConnState);
        Assert.Equal("[2001:db8::1]:50000", c.Client.ToString());
        Assert.Equal("[2001:db8::2]:443", c.Server.ToString());
    }
}
