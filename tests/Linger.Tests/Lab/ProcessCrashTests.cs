using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Tests.Wire.Support;
using Linger.Wire;

namespace Linger.Tests.Lab;

/// <summary>process-crash: the kernel closes a killed process's sockets, RST where data lay unread, FIN elsewhere.</summary>
public sealed class ProcessCrashTests
{
    private const string Id = "process-crash";

    [RootFact]
    public async Task A_killed_server_resets_the_connection_with_unread_data_and_finishes_the_other_with_FIN()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: true);

        result.AssertPassed();
        var fromServer = result.WatchedPackets().Where(p => !p.FromClient).ToList();
        Assert.Contains(fromServer, p => p.Has(TcpFlags.Rst));
        Assert.DoesNotContain(fromServer, p => p.Has(TcpFlags.Fin));
        Assert.Equal(Verdict.Reset, result.Observed?.Verdict);
        Assert.Equal(Side.Server, result.Observed?.ResetBy);
        var read = Assert.Single(result.OtherConversations());
        Assert.Equal(Verdict.Closed, read.Verdict);
    }

    [RootFact]
    public async Task Tshark_reads_a_RST_to_the_client_with_unread_data_and_a_FIN_to_the_other_from_the_killed_server()
    {
        var directory = Directory.CreateTempSubdirectory("linger-lab-test-");
        try
        {
            var result = await LoopbackScenarioRun.RunAsync(Id, capture: true, directory.FullName);

            result.AssertPassed();
            Assert.NotNull(result.CapturePath);
            var rows = await Tshark.FieldsAsync(result.CapturePath, $"tcp.srcport == {result.Server!.Port}", "tcp.dstport", "tcp.flags.reset", "tcp.flags.fin");
            bool Sent(int port, int column) => rows.Any(r => Tshark.Int(r[0]) == port && r[column] is "1" or "True");
            var unread = result.Client!.Port;
            var read = Assert.Single(result.OtherConversations()).Client.Port;
            Assert.True(Sent(unread, 1), "RST to the client whose request was unread");
            Assert.False(Sent(unread, 2), "no FIN to the client whose request was unread");
            Assert.True(Sent(read, 2), "FIN to the client whose request was read");
            Assert.False(Sent(read, 1), "no RST to the client whose request was read");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [LinuxFact]
    public async Task The_client_with_unread_data_gets_ECONNRESET_and_the_other_a_plain_end_of_stream()
    {
        var result = await LoopbackScenarioRun.RunAsync(Id, capture: false);

        result.AssertPassed();
        Assert.True(result.Step(Actor.Server, "process").Result.Ok);
        Assert.Equal("ECONNRESET", result.Step(Actor.Client, "client 1: receive").ErrnoName());
        var end = result.Step(Actor.Client, "client 2: receive").Result;
        Assert.True(end.Ok);
        Assert.Equal(0, end.Bytes);
    }

    [LinuxFact]
    public async Task An_agent_that_cannot_be_started_fails_the_scenario_with_a_message_naming_the_program()
    {
        var scenario = ScenarioCatalog.Find(Id);
        Assert.NotNull(scenario);
        var missing = Path.Combine(Path.GetTempPath(), "linger-no-such-agent");
        var environment = new LabEnvironment { CapturePackets = false, AgentStart = () => new System.Diagnostics.ProcessStartInfo(missing) };

        var result = await new LabRunner(environment).RunAsync(scenario);

        Assert.Equal(ScenarioStatus.Failed, result.Status);
        Assert.Contains(result.Failures, f => f.Contains(missing, StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task An_agent_that_exits_without_saying_ready_fails_the_scenario_instead_of_hanging()
    {
        var scenario = ScenarioCatalog.Find(Id);
        Assert.NotNull(scenario);
        var environment = new LabEnvironment { CapturePackets = false, AgentStart = () => new System.Diagnostics.ProcessStartInfo("true") };

        var result = await new LabRunner(environment).RunAsync(scenario);

        Assert.Equal(ScenarioStatus.Failed, result.Status);
        Assert.Contains(result.Failures, f => f.Contains("did not start", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Without_a_way_to_start_the_agent_the_scenario_is_skipped_and_says_why()
    {
        var scenario = ScenarioCatalog.Find(Id);
        Assert.NotNull(scenario);

        var result = await new LabRunner(new LabEnvironment { CapturePackets = false, AgentStart = null }).RunAsync(scenario);

        Assert.Equal(ScenarioStatus.Skipped, result.Status);
        Assert.Contains("agent", result.SkipReason, StringComparison.Ordinal);
    }
}
