using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;

namespace Linger.Tests.Lab;

/// <summary>listen-backlog-full on this kernel: a listener with backlog 1 that never accepts.</summary>
public sealed class ListenBacklogFullTests(ListenBacklogFullTests.Run run) : IClassFixture<ListenBacklogFullTests.Run>
{
    private const string Id = "listen-backlog-full";

    public sealed class Run() : CapturedScenarioRun(Id);

    [RootFact]
    public async Task The_scenario_passes_and_the_analyser_calls_the_overflowing_connect_unanswered()
    {
        var result = await run.ResultAsync();

        Assert.Empty(result.Failures);
        Assert.Equal(ScenarioStatus.Passed, result.Status);
        Assert.Equal(Verdict.Unanswered, result.Observed?.Verdict);
        Assert.True(result.Agrees);
    }

    [RootFact]
    public async Task With_backlog_1_two_connects_complete_without_accept_and_the_third_hangs_without_an_error()
    {
        var result = await run.ResultAsync();

        var connects = result.Steps.Where(s => s.Action.StartsWith("connect to", StringComparison.Ordinal)).Select(s => s.Result).ToList();
        Assert.Equal(3, connects.Count);
        Assert.True(connects[0].Ok);
        Assert.True(connects[1].Ok);
        Assert.False(connects[2].Ok);
        Assert.Null(connects[2].Errno);
        Assert.Null(connects[2].SocketError);
        Assert.Equal("SYN_SENT", result.Steps.Last(s => s.Action.StartsWith("connect to", StringComparison.Ordinal)).ClientState.State);
    }

    [RootFact]
    public async Task The_server_never_answers_the_overflowing_SYN_and_the_client_retransmits_it()
    {
        var result = await run.ResultAsync();
        var watched = CapturedScenarioRun.Watched(result);

        Assert.True(await run.CountAsync($"{watched} && tcp.flags.syn == 1 && tcp.flags.ack == 0") >= 2);
        Assert.True(await run.CountAsync($"{watched} && tcp.analysis.retransmission") >= 1);
        Assert.Equal(0, await run.CountAsync($"{watched} && tcp.srcport == {result.Server!.Port}"));
    }

    [RootFact]
    public async Task The_kernel_counts_the_dropped_SYNs_as_listen_overflows()
    {
        var result = await run.ResultAsync();

        var counter = CapturedScenarioRun.Step(result, "read TcpExt ListenOverflows");
        Assert.True(counter.Result.Ok);
        Assert.StartsWith("grew by ", counter.Result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("grew by 0", counter.Result.Detail, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Without_capture_the_overflowing_connect_still_hangs_and_no_verdict_is_claimed()
    {
        var result = await CapturedScenarioRun.PlayAsync(Id, new LabEnvironment { CapturePackets = false });

        Assert.Equal(ScenarioStatus.Passed, result.Status);
        Assert.False(result.Captured);
        Assert.Null(result.Agrees);
        var last = result.Steps.Last(s => s.Action.StartsWith("connect to", StringComparison.Ordinal)).Result;
        Assert.False(last.Ok);
        Assert.Null(last.Errno);
    }
}
