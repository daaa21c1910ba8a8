using Linger.Probe;

namespace Linger.Tests.Probe;

/// <summary>A stage's time limit: any limit the options allow, multiplied as the probes multiply it, is usable.</summary>
public sealed class ProbeSessionStageTests
{
    [Fact]
    public async Task A_limit_beyond_what_a_timer_holds_means_no_limit_instead_of_an_error()
    {
        // probe ftp waits --timeout (at most 24 h) per address of the server: 50 addresses make 50 days, past the
        // 49.7 days a .NET timer can count.
        var session = new ProbeSession("ftp", "ftp.example:21");

        var stage = await session.RunStageAsync("connect", TimeSpan.FromHours(24) * 50, _ => Task.FromResult(StageOutcome.Pass(received: "ok")), CancellationToken.None);

        Assert.True(stage.Ok);
        Assert.Equal("ok", stage.Received);
    }

    [Fact]
    public async Task A_stage_that_outlasts_its_limit_fails_saying_so()
    {
        var session = new ProbeSession("tcp", "host.example:1");

        var stage = await session.RunStageAsync("banner", TimeSpan.FromMilliseconds(50), async c =>
        {
            await Task.Delay(Timeout.Infinite, c);
            return StageOutcome.Pass();
        }, CancellationToken.None);

        Assert.False(stage.Ok);
        Assert.Equal("no answer within 0.1 s", stage.Error?.Message);
    }
}
