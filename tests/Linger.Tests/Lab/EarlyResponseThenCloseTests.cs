using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Wire;

namespace Linger.Tests.Lab;

/// <summary>early-response-then-close: answering and closing during an upload resets it; draining first does not.</summary>
public sealed class EarlyResponseThenCloseTests
{
    private const string Id = "early-response-then-close";

    [RootFact]
    public async Task Closing_during_the_upload_resets_it_and_draining_first_ends_with_two_FINs()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: true);

        result.AssertPassed();
        var fromServer = result.WatchedPackets().Where(p => !p.FromClient).ToList();
        Assert.Contains(fromServer, p => p.Has(TcpFlags.Rst));
        Assert.DoesNotContain(fromServer, p => p.Has(TcpFlags.Fin));
        Assert.Equal(Verdict.Reset, result.Observed?.Verdict);
        Assert.Equal(Side.Server, result.Observed?.ResetBy);
        var drained = Assert.Single(result.OtherConversations());
        Assert.Equal(Verdict.Closed, drained.Verdict);
    }

    [LinuxFact]
    public async Task The_clients_body_send_fails_with_ECONNRESET_yet_the_400_stays_readable_on_Linux()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: false);

        result.AssertPassed();
        var sends = result.Steps.Where(s => s.Actor == Actor.Client && s.Action.StartsWith("send the body", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, sends.Count);
        Assert.Equal("ECONNRESET", sends[0].ErrnoName());
        var reads = result.Steps.Where(s => s.Actor == Actor.Client && s.Action == "receive the answer").ToList();
        Assert.Equal(2, reads.Count);
        Assert.StartsWith("\"HTTP/1.1 400 Bad Request", reads[0].Result.Detail, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_server_that_drains_before_closing_receives_the_whole_body_and_the_client_reads_the_400()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: false);

        result.AssertPassed();
        var sends = result.Steps.Where(s => s.Actor == Actor.Client && s.Action.StartsWith("send the body", StringComparison.Ordinal)).ToList();
        Assert.True(sends[1].Result.Ok);
        Assert.Equal(sends[1].Result.Bytes, result.Step(Actor.Server, "drain").Result.Bytes);
        var reads = result.Steps.Where(s => s.Actor == Actor.Client && s.Action == "receive the answer").ToList();
        Assert.StartsWith("\"HTTP/1.1 400 Bad Request", reads[1].Result.Detail, StringComparison.Ordinal);
    }
}
