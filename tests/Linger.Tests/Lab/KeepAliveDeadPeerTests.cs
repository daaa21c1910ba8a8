using System.Globalization;
using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Tests.Wire.Support;

namespace Linger.Tests.Lab;

/// <summary>keepalive-dead-peer on this kernel: idle connections to a server whose packets are dropped.</summary>
public sealed class KeepAliveDeadPeerTests(KeepAliveDeadPeerTests.Run run) : IClassFixture<KeepAliveDeadPeerTests.Run>
{
    private const string Id = "keepalive-dead-peer";
    private const int Etimedout = 110;
    private const string Tuned = "connection 2 (tuned)";
    private const string Bounded = "connection 3 (tuned + TCP_USER_TIMEOUT)";

    public sealed class Run() : CapturedScenarioRun(Id);

    [RootFact]
    public async Task The_scenario_passes_and_the_analyser_says_the_client_reset_the_watched_connection()
    {
        var result = await run.ResultAsync();

        Assert.Empty(result.Failures);
        Assert.Equal(Verdict.Reset, result.Observed?.Verdict);
        Assert.Equal(Side.Client, result.Observed?.ResetBy);
        Assert.True(result.Agrees);
    }

    [RootFact]
    public async Task Both_tuned_connections_fail_their_idle_read_with_ETIMEDOUT_the_user_timeout_one_first()
    {
        var result = await run.ResultAsync();

        var tuned = CapturedScenarioRun.Step(result, Tuned);
        var bounded = CapturedScenarioRun.Step(result, Bounded);
        Assert.Equal(Etimedout, tuned.Result.Errno);
        Assert.Equal(Etimedout, bounded.Result.Errno);
        Assert.True(result.Steps.ToList().IndexOf(bounded) < result.Steps.ToList().IndexOf(tuned));
    }

    [RootFact]
    public async Task The_tuned_connection_sends_exactly_its_3_probes_unanswered_and_then_a_RST()
    {
        var result = await run.ResultAsync();
        var watched = CapturedScenarioRun.Watched(result);
        var client = result.Client!.Port.ToString(CultureInfo.InvariantCulture);

        var fromClient = await Tshark.FieldsAsync(run.CapturePath, $"{watched} && tcp.srcport == {client}", "tcp.analysis.keep_alive", "tcp.flags.reset");
        Assert.Equal(3, fromClient.Count(f => f[0].Length > 0));
        Assert.Equal("1", fromClient[^1][1]);
        Assert.Equal(3, result.Observed!.Counts.KeepAlives);

        // The server's side answered nothing after the handshake: its only other packet is its own late abortive close.
        var fromServer = await Tshark.FieldsAsync(run.CapturePath, $"{watched} && tcp.dstport == {client}", "tcp.flags.syn", "tcp.flags.reset");
        Assert.All(fromServer, f => Assert.True(f[0] == "1" || f[1] == "1", "the vanished server answered a probe"));
    }

    [RootFact]
    public async Task The_analyser_says_the_client_that_gave_up_saw_the_error_its_read_failed_with()
    {
        var result = await run.ResultAsync();
        var failed = CapturedScenarioRun.Step(result, Tuned).Result;

        // The RST is the client kernel's own: its read failed with a time-out, not with a reset.
        var linux = result.Observed!.LikelyErrors[Side.Client].Where(e => e.Platform == Linger.Knowledge.OsPlatform.Linux).Select(e => e.EntryId).ToList();
        Assert.Contains("errno." + failed.ErrnoName, linux);
        Assert.Contains("dotnet." + failed.SocketError, linux);
    }

    [RootFact]
    public async Task The_analyser_says_the_vanished_server_would_see_the_reset()
    {
        var result = await run.ResultAsync();

        var linux = result.Observed!.LikelyErrors[Side.Server].Single(e => e.Platform == Linger.Knowledge.OsPlatform.Linux && e.Domain == Linger.Knowledge.KnowledgeDomain.Errno);
        Assert.Equal("errno.ECONNRESET", linux.EntryId);
    }

    [RootFact]
    public async Task The_user_timeout_connection_dies_after_a_single_probe()
    {
        var result = await run.ResultAsync();
        var server = result.Server!.Port;
        var others = (await Tshark.FieldsAsync(run.CapturePath, $"tcp.dstport == {server} && tcp.analysis.keep_alive", "tcp.srcport"))
            .Select(f => f[0])
            .Where(port => port != result.Client!.Port.ToString(CultureInfo.InvariantCulture))
            .ToList();

        // Connection 1 (defaults) sends none; connection 3 sends one, then its user timeout ends it.
        Assert.Single(others);
    }

    [RootFact]
    public async Task The_connection_with_default_keepalive_is_still_established_and_so_is_the_server_side()
    {
        var result = await run.ResultAsync();

        Assert.StartsWith("ESTABLISHED", CapturedScenarioRun.Step(result, "connection 1 (defaults): look").Result.Detail, StringComparison.Ordinal);
        Assert.StartsWith("ESTABLISHED", CapturedScenarioRun.Step(result, "the server's sockets").Result.Detail, StringComparison.Ordinal);
        Assert.Contains("idle 7200 s", CapturedScenarioRun.Step(result, "connection 1: SO_KEEPALIVE on").Result.Detail, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Without_capture_the_tuned_connection_still_fails_with_ETIMEDOUT()
    {
        var result = await CapturedScenarioRun.PlayAsync(Id, new LabEnvironment { CapturePackets = false });

        // Some kernels refuse the drop filter to unprivileged users (EACCES): then the run must say so, not fail.
        if (!Environment.IsPrivilegedProcess && result.Status == ScenarioStatus.Skipped)
        {
            Assert.Contains("drop filter", result.SkipReason, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(ScenarioStatus.Passed, result.Status);
        Assert.False(result.Captured);
        Assert.Equal(Etimedout, CapturedScenarioRun.Step(result, Tuned).Result.Errno);
    }
}
