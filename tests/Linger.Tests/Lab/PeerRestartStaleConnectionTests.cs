using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Wire;

namespace Linger.Tests.Lab;

/// <summary>peer-restart-stale-connection: the client writes into a connection whose server process was replaced.</summary>
public sealed class PeerRestartStaleConnectionTests
{
    private const string Id = "peer-restart-stale-connection";

    [RootFact]
    public async Task The_old_connection_gets_the_crashs_FIN_then_a_RST_for_the_clients_next_write()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: true);

        result.AssertPassed();
        var packets = result.WatchedPackets();
        var fin = packets.FindIndex(p => !p.FromClient && p.Has(TcpFlags.Fin));
        var rst = packets.FindIndex(p => !p.FromClient && p.Has(TcpFlags.Rst));
        Assert.True(fin >= 0 && rst > fin, "the server's FIN (the crash) comes first, its RST later");
        Assert.Contains(packets.Take(rst).Skip(fin), p => p.FromClient && p.Length > 0);
        Assert.Equal(Verdict.Reset, result.Observed?.Verdict);
        Assert.Equal(Side.Server, result.Observed?.ResetBy);
        Assert.Equal(true, result.Observed?.AfterFin);
        Assert.Contains(result.OtherConversations(), c => c.Verdict is Verdict.Closed or Verdict.HalfClosed);
    }

    [LinuxFact]
    public async Task The_first_write_succeeds_the_next_read_returns_end_of_stream_and_a_later_write_fails_with_EPIPE()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: false);

        result.AssertPassed();
        var first = result.Step(Actor.Client, "send \"request 2\\n\" into the old connection").Result;
        Assert.True(first.Ok);
        var read = result.Step(Actor.Client, "receive (the answer to request 2?)").Result;
        Assert.True(read.Ok);
        Assert.Equal(0, read.Bytes);
        var failed = Assert.Single(result.Steps, s => s.Actor == Actor.Client && !s.Result.Ok);
        Assert.Equal("EPIPE", failed.ErrnoName());
    }

    [LinuxFact]
    public async Task A_new_server_process_listens_on_the_same_port_and_a_new_connection_reaches_it()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: false);

        result.AssertPassed();
        var listens = result.Steps.Where(s => s.Actor == Actor.Server && s.Action.StartsWith("listen", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, listens.Count);
        Assert.All(listens, s => Assert.True(s.Result.Ok));
        var starts = result.Steps.Where(s => s.Action == "start the agent process").Select(s => s.Result.Detail).ToList();
        Assert.Equal(2, starts.Distinct().Count());
        Assert.Equal(10, result.Steps.Last(s => s.Actor == Actor.Server && s.Action.StartsWith("receive", StringComparison.Ordinal)).Result.Bytes);
    }
}
