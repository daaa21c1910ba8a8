using Linger.Flows;
using Linger.Knowledge;

namespace Linger.Tests.Flows;

/// <summary>
/// A RST sent by a stack whose keep-alive probes went unanswered: the side that gave up saw a time-out, the other
/// side, if it is still there, sees the reset. Other RSTs near keep-alives keep the reset's usual likely errors.
/// </summary>
public sealed class KeepAliveResetTests
{
    private static readonly string[] GaveUp = ["errno.ETIMEDOUT", "dotnet.TimedOut", "winsock.10052", "dotnet.NetworkReset"];
    private static readonly string[] Reset = ["errno.ECONNRESET", "dotnet.ConnectionReset", "winsock.10054", "dotnet.ConnectionReset"];

    private static string[] Ids(ConversationSummary c, Side side) =>
        c.LikelyErrors.TryGetValue(side, out var errors) ? [.. errors.Select(e => e.EntryId)] : [];

    /// <summary>An idle conversation; then the client probes 3 times, 1 s apart, unanswered, and resets 1 s later.</summary>
    private static TcpScript ClientProbesUnanswered(int probePayload = 0)
    {
        var s = new TcpScript().Handshake().C("PA", 10).S("PA", 10).C("A").Wait(1);
        for (var i = 0; i < 3; i++)
        {
            s.C("A", probePayload, seq: s.ClientNext - 1).Wait(1);
        }

        return s;
    }

    [Theory]
    [InlineData(0)] // Linux's probe: no payload
    [InlineData(1)] // Windows' probe: one garbage byte
    public void The_side_whose_keep_alives_went_unanswered_saw_a_time_out(int probePayload)
    {
        var c = ClientProbesUnanswered(probePayload).C("RA").Single();

        Assert.Equal(Side.Client, c.ResetBy);
        Assert.Equal(3, c.Counts.KeepAlives);
        Assert.Equal(GaveUp, Ids(c, Side.Client));
    }

    [Fact]
    public void The_other_side_of_a_keep_alive_reset_sees_the_reset_if_it_is_still_there()
    {
        var c = ClientProbesUnanswered().C("RA").Single();

        Assert.Equal(Reset, Ids(c, Side.Server));
    }

    [Fact]
    public void A_server_giving_up_on_its_unanswered_keep_alives_saw_the_time_out_and_the_client_the_reset()
    {
        var s = new TcpScript().Handshake().C("PA", 10).S("PA", 10).C("A").Wait(75);
        s.S("A", seq: s.ServerNext - 1).Wait(75).S("A", seq: s.ServerNext - 1).Wait(75);
        var c = s.S("RA").Single();

        Assert.Equal(Side.Server, c.ResetBy);
        Assert.Equal(GaveUp, Ids(c, Side.Server));
        Assert.Equal(Reset, Ids(c, Side.Client));
    }

    [Fact]
    public void The_side_that_gave_up_learns_it_from_whichever_call_comes_next()
    {
        var c = ClientProbesUnanswered().C("RA").Single();

        Assert.All(c.LikelyErrors[Side.Client], e => Assert.Equal(FailingCall.SendOrReceive, e.Call));
    }

    [Fact]
    public void An_abort_after_an_answered_keep_alive_leaves_the_resetter_without_an_error()
    {
        // The peer answered the probe: the connection was alive, and the client's RST is its application's abort.
        var s = new TcpScript().Handshake().C("PA", 10).S("PA", 10).C("A").Wait(75);
        var c = s.C("A", seq: s.ClientNext - 1).S("A").Wait(1).C("RA").Single();

        Assert.Equal(1, c.Counts.KeepAlives);
        Assert.Empty(Ids(c, Side.Client));
        Assert.Equal(Reset, Ids(c, Side.Server));
    }

    [Fact]
    public void An_abort_after_answering_the_other_sides_keep_alives_leaves_the_resetter_without_an_error()
    {
        // The server probed, the client answered; then the client aborted: the keep-alives were not the client's.
        var s = new TcpScript().Handshake().C("PA", 10).S("PA", 10).C("A").Wait(75);
        var c = s.S("A", seq: s.ServerNext - 1).C("A").Wait(1).C("RA").Single();

        Assert.Empty(Ids(c, Side.Client));
        Assert.Equal(Reset, Ids(c, Side.Server));
    }

    [Fact]
    public void An_abort_that_only_follows_the_acknowledgment_of_the_peers_data_is_not_a_keep_alive_failure()
    {
        // Keep-alives earlier in the conversation, answered; later the server's data, the client's ACK, and an abort.
        var s = new TcpScript().Handshake().C("PA", 10).S("PA", 10).C("A").Wait(75);
        s.C("A", seq: s.ClientNext - 1).S("A").Wait(5).S("PA", 20).C("A", dt: 0.04);
        var c = s.Wait(2).C("RA").Single();

        Assert.Empty(Ids(c, Side.Client));
        Assert.Equal(Reset, Ids(c, Side.Server));
    }

    [Fact]
    public void The_knowledge_base_links_every_code_of_the_side_that_gave_up_to_unanswered_keep_alives()
    {
        var c = ClientProbesUnanswered().C("RA").Single();

        foreach (var error in c.LikelyErrors[Side.Client])
        {
            var entry = KnowledgeBase.Default.Find(error.EntryId);
            Assert.NotNull(entry);
            Assert.Contains("keepalive-unanswered", entry.WireIds);
        }
    }
}
