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
    public void A_RST_answering_data_after_a_long_idle_counts_the_silence_before_that_data()
    {
        // A middlebox forgot the flow during 10 idle minutes and rejects the next packet.
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("A").Wait(600).C("PA", 10).S("R", dt: 0.0002).Single();

        Assert.True(c.InReplyToData);
        Assert.False(c.AfterFin);
        Assert.Equal(600.0, c.IdleBeforeSeconds!.Value, 1);
        Assert.Equal(600.0, c.LongestSilenceSeconds, 1);
    }

    [Fact]
    public void A_server_closing_with_unread_data_resets_in_reply_to_that_data()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("A").S("RA", dt: 0.3).Single();

        Assert.True(c.InReplyToData);
        Assert.False(c.AfterFin);
        Assert.Equal(0.3, c.IdleBeforeSeconds!.Value, 3); // the server's silence before the RST, not the data's 1 ms

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
