using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Wire;

namespace Linger.Tests.Lab;

/// <summary>framing-coalesce: two sends arrive as one receive; without framing both sides wait and the client aborts.</summary>
public sealed class FramingCoalesceTests
{
    private const string Id = "framing-coalesce";

    [RootFact]
    public async Task The_unframed_connection_ends_with_the_clients_RST_and_the_framed_one_with_two_FINs()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: true);

        result.AssertPassed();
        Assert.Contains(result.WatchedPackets(), p => p.FromClient && p.Has(TcpFlags.Rst));
        Assert.Equal(Verdict.Reset, result.Observed?.Verdict);
        Assert.Equal(Side.Client, result.Observed?.ResetBy);
        var framed = Assert.Single(result.OtherConversations());
        Assert.Equal(Verdict.Closed, framed.Verdict);
    }

    [LinuxFact]
    public async Task One_receive_returns_both_messages_so_the_client_times_out_and_the_servers_wait_ends_in_ECONNRESET()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: false);

        result.AssertPassed();
        var sent = result.Step(Actor.Client, "send message 1:").Result.Bytes + result.Step(Actor.Client, "send message 2:").Result.Bytes;
        Assert.Equal(sent, result.Step(Actor.Server, "receive message 1 (one receive").Result.Bytes);
        var timedOut = result.Step(Actor.Client, "receive answer 2 (300 ms").Result;
        Assert.False(timedOut.Ok);
        Assert.Null(timedOut.SocketError);
        Assert.Equal("ECONNRESET", result.Step(Actor.Server, "receive message 2 (already read").ErrnoName());
    }

    [LinuxFact]
    public async Task With_a_length_prefix_the_server_reads_the_two_messages_apart()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: false);

        result.AssertPassed();
        Assert.Equal("\"HELLO alice\"", result.Step(Actor.Server, "receive message 1 (length").Result.Detail);
        Assert.Equal("\"GET report\"", result.Step(Actor.Server, "receive message 2 (length").Result.Detail);
    }
}
