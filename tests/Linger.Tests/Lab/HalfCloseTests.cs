using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Wire;

namespace Linger.Tests.Lab;

/// <summary>half-close: after shutdown(SHUT_WR) the client still receives everything the server sends.</summary>
public sealed class HalfCloseTests
{
    private const string Id = "half-close";

    [RootFact]
    public async Task The_server_sends_data_after_the_clients_FIN_and_both_sides_close_with_FIN()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: true);

        result.AssertPassed();
        var packets = result.WatchedPackets();
        var clientFin = packets.FindIndex(p => p.FromClient && p.Has(TcpFlags.Fin));
        Assert.True(clientFin >= 0, "the client's shutdown(SHUT_WR) sends a FIN");
        Assert.Contains(packets.Skip(clientFin), p => !p.FromClient && p.Length > 0);
        Assert.Contains(packets, p => !p.FromClient && p.Has(TcpFlags.Fin));
        Assert.DoesNotContain(packets, p => p.Has(TcpFlags.Rst));
        Assert.Equal(Verdict.Closed, result.Observed?.Verdict);
    }

    [LinuxFact]
    public async Task The_client_receives_every_byte_the_server_sent_after_shutting_down_its_sending_side()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: false);

        result.AssertPassed();
        var sentByServer = result.Steps.Where(s => s.Actor == Actor.Server && s.Action.StartsWith("send", StringComparison.Ordinal)).Sum(s => s.Result.Bytes ?? 0);
        var read = result.Step(Actor.Client, "receive until the end of the stream");
        Assert.True(read.Result.Ok);
        Assert.True(sentByServer > 0);
        Assert.Equal(sentByServer, read.Result.Bytes);
    }
}
