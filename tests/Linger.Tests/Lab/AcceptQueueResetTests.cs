using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Tests.Wire.Support;

namespace Linger.Tests.Lab;

/// <summary>accept-queue-reset on this kernel: a listener closed with two connections waiting to be accepted.</summary>
public sealed class AcceptQueueResetTests(AcceptQueueResetTests.Run run) : IClassFixture<AcceptQueueResetTests.Run>
{
    private const string Id = "accept-queue-reset";
    private const int Econnreset = 104;

    public sealed class Run() : CapturedScenarioRun(Id);

    [RootFact]
    public async Task The_scenario_passes_and_the_analyser_says_the_server_reset_the_queued_connection()
    {
        var result = await run.ResultAsync();

        Assert.Empty(result.Failures);
        Assert.Equal(Verdict.Reset, result.Observed?.Verdict);
        Assert.Equal(Side.Server, result.Observed?.ResetBy);
        Assert.True(result.Agrees);
    }

    [RootFact]
    public async Task Both_clients_connected_successfully_and_then_read_ECONNRESET()
    {
        var result = await run.ResultAsync();

        var connects = result.Steps.Where(s => s.Action.StartsWith("connect to", StringComparison.Ordinal)).Select(s => s.Result).ToList();
        Assert.True(connects[0].Ok);
        Assert.True(connects[1].Ok);
        Assert.Equal(Econnreset, CapturedScenarioRun.Step(result, "receive on the first connection").Result.Errno);
        Assert.Equal(Econnreset, CapturedScenarioRun.Step(result, "receive on the second connection").Result.Errno);
    }

    [RootFact]
    public async Task Closing_the_listener_sends_a_RST_to_each_queued_connection_and_no_FIN()
    {
        var result = await run.ResultAsync();
        var port = result.Server!.Port;

        var resets = await Tshark.FieldsAsync(run.CapturePath, $"tcp.srcport == {port} && tcp.flags.reset == 1 && tcp.flags.syn == 0", "tcp.dstport");
        var resetPorts = resets.Select(r => r[0]).ToHashSet();
        var connected = await Tshark.FieldsAsync(run.CapturePath, $"tcp.srcport == {port} && tcp.flags.syn == 1 && tcp.flags.ack == 1", "tcp.dstport");
        Assert.Equal(2, connected.Length);
        Assert.All(connected, c => Assert.Contains(c[0], resetPorts));
        Assert.Equal(0, await run.CountAsync($"tcp.srcport == {port} && tcp.flags.fin == 1"));
    }

    [RootFact]
    public async Task A_connect_after_the_listener_closed_is_refused()
    {
        var result = await run.ResultAsync();

        var last = result.Steps.Last(s => s.Action.StartsWith("connect to", StringComparison.Ordinal)).Result;
        Assert.Equal(SocketError.ConnectionRefused, last.SocketError);
    }

    [LinuxFact]
    public async Task Without_capture_the_queued_clients_still_read_ECONNRESET()
    {
        var result = await CapturedScenarioRun.PlayAsync(Id, new LabEnvironment { CapturePackets = false });

        Assert.Equal(ScenarioStatus.Passed, result.Status);
        Assert.False(result.Captured);
        Assert.Equal(Econnreset, CapturedScenarioRun.Step(result, "receive on the first connection").Result.Errno);
    }
}
