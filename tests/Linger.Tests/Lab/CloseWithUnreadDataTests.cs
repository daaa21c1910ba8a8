using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Wire;

namespace Linger.Tests.Lab;

/// <summary>close-with-unread-data: a plain close with the peer's bytes unread resets the connection.</summary>
public sealed class CloseWithUnreadDataTests
{
    private const string Id = "close-with-unread-data";

    [RootFact]
    public async Task The_server_kernel_sends_RST_and_no_FIN_when_it_closes_with_bytes_unread()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: true);

        result.AssertPassed();
        var fromServer = result.WatchedPackets().Where(p => !p.FromClient).ToList();
        Assert.Contains(fromServer, p => p.Has(TcpFlags.Rst));
        Assert.DoesNotContain(fromServer, p => p.Has(TcpFlags.Fin));
        Assert.Equal(Verdict.Reset, result.Observed?.Verdict);
        Assert.Equal(Side.Server, result.Observed?.ResetBy);
    }

    [LinuxFact]
    public async Task The_clients_read_fails_with_ECONNRESET_without_capture()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: false);

        result.AssertPassed();
        Assert.Equal("ECONNRESET", result.Step(Actor.Client, "receive").ErrnoName());
    }
}
