using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Tests.Wire.Support;

namespace Linger.Tests.Lab;

/// <summary>zero-window-stall on this kernel: a receiver that stops reading and a sender that gives up.</summary>
public sealed class ZeroWindowStallTests(ZeroWindowStallTests.Run run) : IClassFixture<ZeroWindowStallTests.Run>
{
    private const string Id = "zero-window-stall";
    private const int Econnreset = 104;

    public sealed class Run() : CapturedScenarioRun(Id);

    [RootFact]
    public async Task The_scenario_passes_and_the_analyser_says_the_sender_reset_it()
    {
        var result = await run.ResultAsync();

        Assert.Empty(result.Failures);
        Assert.Equal(Verdict.Reset, result.Observed?.Verdict);
        Assert.Equal(Side.Client, result.Observed?.ResetBy);
        Assert.True(result.Agrees);
    }

    [RootFact]
    public async Task The_analyser_counts_the_zero_windows_that_tshark_sees()
    {
        var result = await run.ResultAsync();

        var tshark = await run.CountAsync($"{CapturedScenarioRun.Watched(result)} && tcp.analysis.zero_window");
        Assert.True(tshark > 0);
        Assert.Equal(tshark, result.Observed!.Counts.ZeroWindows);
    }

    [RootFact]
    public async Task The_sender_probes_the_closed_window_and_the_receiver_answers_with_zero_windows()
    {
        var result = await run.ResultAsync();
        var server = result.Server!.Port;

        // Linux probes a zero window with a segment carrying no data and an old sequence number, the shape of a
        // keep-alive; tshark and the analyser both count them as keep-alives.
        var frames = await Tshark.FieldsAsync(
            run.CapturePath,
            $"{CapturedScenarioRun.Watched(result)} && (tcp.analysis.keep_alive || tcp.analysis.zero_window)",
            "tcp.dstport",
            "tcp.analysis.zero_window");
        var firstZero = Array.FindIndex(frames, f => f[1].Length > 0);
        var probes = frames.Skip(firstZero).Count(f => f[0] == server.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(firstZero >= 0);
        Assert.True(probes >= 1);
        Assert.Equal(probes, result.Observed!.Counts.KeepAlives);
    }

    [RootFact]
    public async Task The_send_ends_by_application_timeout_and_the_server_reads_the_acknowledged_bytes_then_ECONNRESET()
    {
        var result = await run.ResultAsync();

        var send = CapturedScenarioRun.Step(result, "send a 1024 KiB message");
        Assert.False(send.Result.Ok);
        Assert.Null(send.Result.Errno);
        Assert.True(send.Result.Bytes > 0);
        Assert.True(CapturedScenarioRun.Step(result, "receive (the server reads at last)").Result.Bytes > 0);
        Assert.Equal(Econnreset, CapturedScenarioRun.Step(result, "receive again").Result.Errno);
    }

    [LinuxFact]
    public async Task Without_capture_the_send_still_stalls_and_the_server_still_reads_ECONNRESET()
    {
        var result = await CapturedScenarioRun.PlayAsync(Id, new LabEnvironment { CapturePackets = false });

        Assert.Equal(ScenarioStatus.Passed, result.Status);
        Assert.False(result.Captured);
        Assert.Null(CapturedScenarioRun.Step(result, "send a 1024 KiB message").Result.Errno);
        Assert.Equal(Econnreset, CapturedScenarioRun.Step(result, "receive again").Result.Errno);
    }
}
