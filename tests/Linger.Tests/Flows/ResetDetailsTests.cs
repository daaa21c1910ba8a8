using Linger.Flows;
using Linger.Knowledge;

namespace Linger.Tests.Flows;

/// <summary>Who reset, after what, after how much silence, and what each application most likely saw.</summary>
public sealed class ResetDetailsTests
{
    private static string[] Ids(ConversationSummary c, Side side) => [.. c.LikelyErrors[side].Select(e => e.EntryId)];

    [Fact]
    public void A_server_vanishing_with_RST_and_no_FIN_gives_the_client_ECONNRESET_and_10054()
    {
        // The server answered; 30 s later it resets without a FIN (killed, SO_LINGER {1,0}, or a middlebox).
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("A").Wait(30).S("R").Single();

        Assert.Equal(Verdict.Reset, c.Verdict);
        Assert.Equal(Side.Server, c.ResetBy);
        Assert.False(c.AfterFin);
        Assert.False(c.InReplyToData);
        Assert.Equal(30.0, c.IdleBeforeSeconds!.Value, 2);
        Assert.Equal(["errno.ECONNRESET", "dotnet.ConnectionReset", "winsock.10054", "dotnet.ConnectionReset"], Ids(c, Side.Client));
        Assert.False(c.LikelyErrors.ContainsKey(Side.Server));
    }

    [Fact]
    public void The_server_closing_then_resetting_late_data_gives_the_client_EPIPE_and_10053()
    {
        // The 10053 story: the server sends FIN, the client keeps writing, the server answers with RST.
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("A").S("FA").C("A")
            .Wait(2).C("PA", 50).S("R").Single();

        Assert.Equal(Verdict.Reset, c.Verdict);
        Assert.Equal(Side.Server, c.ResetBy);
        Assert.True(c.AfterFin);
        Assert.True(c.InReplyToData);
        Assert.Equal(2.0, c.IdleBeforeSeconds!.Value, 2);
        Assert.Equal(["errno.EPIPE", "dotnet.Shutdown", "winsock.10053", "dotnet.ConnectionAborted"], Ids(c, Side.Client));
    }

    [Fact]
    public void The_write_that_fails_after_the_peers_FIN_and_RST_is_a_send_on_Linux()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("FA").C("PA", 50).S("R").Single();

        var linux = c.LikelyErrors[Side.Client].Single(e => e.Platform == OsPlatform.Linux && e.Domain == KnowledgeDomain.Errno);
        Assert.Equal(FailingCall.Send, linux.Call);
        Assert.Equal("EPIPE", linux.DisplayName);
        var windows = c.LikelyErrors[Side.Client].Single(e => e.Domain == KnowledgeDomain.WinSock);
        Assert.Equal("WSAECONNABORTED 10053", windows.DisplayName);
    }

    [Fact]
    public void A_RST_straight_after_data_that_ended_a_long_idle_counts_the_silence_before_that_data()
    {
        // A middlebox forgot the flow during 10 idle minutes and rejects the next packet.
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("A").Wait(600).C("PA", 10).S("R", dt: 0.0002).Single();

        Assert.Equal(600.0, c.IdleBeforeSeconds!.Value, 1);
        Assert.Equal(600.0, c.LongestSilenceSeconds, 1);
    }

    [Fact]
    public void A_RST_from_a_host_that_lost_the_connection_is_not_in_reply_to_data()
    {
        // The server restarted during 2 idle minutes: its kernel answers the client's next data with a bare RST. The
        // data provoked it, but the server never closed: not the 10053 pattern, and the client sees ECONNRESET.
        var s = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("A").Wait(120).C("PA", 10);
        var c = s.S("R", seq: s.ServerNext, dt: 0.0002).Single();

        Assert.False(c.InReplyToData);
        Assert.False(c.AfterFin);
        Assert.Equal(["errno.ECONNRESET", "dotnet.ConnectionReset", "winsock.10054", "dotnet.ConnectionReset"], Ids(c, Side.Client));
    }

    [Fact]
    public void A_server_closing_with_unread_data_does_not_reset_in_reply_to_data()
    {
        // The kernel acknowledged the data; the application closed 0.3 s later without reading it: no FIN came first.
        var c = new TcpScript().Handshake().C("PA", 100).S("A").S("RA", dt: 0.3).Single();

        Assert.False(c.InReplyToData);
        Assert.False(c.AfterFin);
        Assert.Equal(0.3, c.IdleBeforeSeconds!.Value, 3); // the server's silence before the RST, not the data's 1 ms
    }

    [Fact]
    public void A_client_aborting_on_a_timer_after_the_servers_last_data_does_not_reset_in_reply_to_data()
    {
        // framing-coalesce: the server answered, the client waited 0.3 s for more and aborted (SO_LINGER {1,0}).
        var c = new TcpScript().Handshake().C("PA", 21).S("A").S("PA", 3).C("A").Wait(0.3).C("RA").Single();

        Assert.Equal(Side.Client, c.ResetBy);
        Assert.False(c.InReplyToData);
    }

    [Fact]
    public void A_RST_after_the_resetters_FIN_with_no_data_since_is_not_in_reply_to_data()
    {
        // The server's data came before its FIN; it then aborted with nothing new from the client to answer.
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).S("FA").C("A").Wait(1).S("RA").Single();

        Assert.True(c.AfterFin);
        Assert.False(c.InReplyToData);
    }

    [Fact]
    public void Data_crossing_the_resetters_FIN_on_the_wire_counts_when_the_capture_saw_it_after_the_FIN()
    {
        // The client wrote before the server's FIN reached it; the capture saw the FIN first, and the RST answers the data.
        var s = new TcpScript().Handshake().C("PA", 100).S("A").S("FA");
        var c = s.C("PA", 50, ack: s.ServerNext - 1, dt: 0.00001).S("R", dt: 0.00001).Single();

        Assert.True(c.AfterFin);
        Assert.True(c.InReplyToData);
    }

    [Fact]
    public void A_FIN_and_RST_in_one_segment_is_neither_after_FIN_nor_in_reply_to_data()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("PA", 10).S("FRA").Single();

        Assert.False(c.AfterFin);
        Assert.False(c.InReplyToData);
    }

    [Fact]
    public void A_capture_that_started_after_the_resetters_FIN_cannot_say_in_reply_to_data()
    {
        // The server's FIN was sent before the capture began: the packets show data and a RST, nothing of the close.
        var c = new TcpScript().C("PA", 100).S("A").Wait(20).C("PA", 50).S("R").Single();

        Assert.Equal(Side.Server, c.ResetBy);
        Assert.False(c.InReplyToData);
        Assert.Equal(20.001, c.IdleBeforeSeconds!.Value, 3); // the RST came straight after the data: its silence counts
    }

    [Fact]
    public void A_client_reset_leaves_the_server_with_ECONNRESET()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("RA").Single();

        Assert.Equal(Side.Client, c.ResetBy);
        Assert.Equal(["errno.ECONNRESET", "dotnet.ConnectionReset", "winsock.10054", "dotnet.ConnectionReset"], Ids(c, Side.Server));
        Assert.False(c.LikelyErrors.ContainsKey(Side.Client));
    }

    [Fact]
    public void A_client_aborting_its_own_handshake_leaves_the_server_application_nothing_to_see()
    {
        var c = new TcpScript().C("S").S("SA").C("R").Single();

        Assert.Equal(Verdict.Reset, c.Verdict);
        Assert.Equal(Side.Client, c.ResetBy);
        Assert.Empty(c.LikelyErrors);
    }

    [Fact]
    public void A_refused_connect_fails_with_ECONNREFUSED_and_10061()
    {
        var c = new TcpScript().C("S").S("RA", seq: 0).Single();

        Assert.Equal(["errno.ECONNREFUSED", "dotnet.ConnectionRefused", "winsock.10061", "dotnet.ConnectionRefused"], Ids(c, Side.Client));
        Assert.All(c.LikelyErrors[Side.Client], e => Assert.Equal(FailingCall.Connect, e.Call));
    }

    [Fact]
    public void An_unanswered_connect_times_out_with_ETIMEDOUT_and_10060()
    {
        var c = new TcpScript().C("S").C("S", seq: 1000, dt: 1).Single();

        Assert.Equal(["errno.ETIMEDOUT", "dotnet.TimedOut", "winsock.10060", "dotnet.TimedOut"], Ids(c, Side.Client));
    }

    [Fact]
    public void A_graceful_close_leaves_nobody_an_error()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("FA").S("FA").C("A").Single();

        Assert.Empty(c.LikelyErrors);
    }

    [Fact]
    public void Every_likely_error_names_an_entry_of_the_knowledge_base()
    {
        var summaries = new[]
        {
            new TcpScript().C("S").S("RA", seq: 0).Single(),
            new TcpScript().C("S").Single(),
            new TcpScript().Handshake().C("PA", 1).S("R").Single(),
            new TcpScript().Handshake().S("FA").C("PA", 1).S("R").Single(),
        };

        foreach (var error in summaries.SelectMany(s => s.LikelyErrors.Values).SelectMany(l => l))
        {
            var entry = KnowledgeBase.Default.Find(error.EntryId);
            Assert.NotNull(entry);
            Assert.Equal(error.Domain, entry.Domain);
        }
    }

    [Fact]
    public void The_reset_frame_is_the_RST_that_ended_it()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).S("R").S("R", dt: 0.001).Single();

        Assert.Equal(5, c.ResetFrame);
    }
}
