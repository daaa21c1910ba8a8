using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Wire;

namespace Linger.Tests.Lab;

/// <summary>
/// The first four scenarios, run for real: the calls' results are checked against glibc's errno names, the packets
/// against what TCP must send, and the analyser's verdict must agree.
/// </summary>
public sealed class CoreScenarioTests
{
    private static readonly LabEnvironment Root = new() { CapturePackets = true };

    [RootFact]
    public async Task Refused_connect_fails_with_ECONNREFUSED_and_the_SYN_is_answered_by_RST()
    {
        var result = await RunAsync("refused", Root);

        var connect = Assert.Single(result.Steps, s => s.Action.StartsWith("connect", StringComparison.Ordinal));
        Assert.Equal("ECONNREFUSED", Libc.ErrnoName(connect.Result.Errno!.Value));
        Assert.Contains(result.Packets, p => p.FromClient && p.Flags == TcpFlags.Syn);
        Assert.Contains(result.Packets, p => !p.FromClient && (p.Flags & TcpFlags.Rst) != 0);
        Assert.Equal(Verdict.Refused, result.Observed!.Verdict);
        AssertPassed(result);
    }

    [RootFact]
    public async Task Graceful_close_sends_FIN_both_ways_and_no_RST_and_the_first_closer_waits_in_TIME_WAIT()
    {
        var result = await RunAsync("graceful-close", Root);

        Assert.Contains(result.Packets, p => p.FromClient && (p.Flags & TcpFlags.Fin) != 0);
        Assert.Contains(result.Packets, p => !p.FromClient && (p.Flags & TcpFlags.Fin) != 0);
        Assert.DoesNotContain(result.Packets, p => (p.Flags & TcpFlags.Rst) != 0);
        Assert.Equal(2, result.Steps.Count(s => s.Result is { Ok: true, Bytes: 0 }));
        Assert.Equal("TIME_WAIT", result.Steps[^1].ClientState.State);
        Assert.Equal(Verdict.Closed, result.Observed!.Verdict);
        AssertPassed(result);
    }

    [RootFact]
    public async Task Abortive_close_sends_RST_without_FIN_and_the_clients_read_fails_with_ECONNRESET()
    {
        var result = await RunAsync("abortive-close", Root);

        Assert.Contains(result.Packets, p => !p.FromClient && (p.Flags & TcpFlags.Rst) != 0);
        Assert.DoesNotContain(result.Packets, p => !p.FromClient && (p.Flags & TcpFlags.Fin) != 0);
        var read = Assert.Single(result.Steps, s => s.Actor == Actor.Client && s.Action.StartsWith("receive", StringComparison.Ordinal));
        Assert.Equal("ECONNRESET", Libc.ErrnoName(read.Result.Errno!.Value));
        Assert.Equal(System.Net.Sockets.SocketError.ConnectionReset, read.Result.SocketError);
        Assert.Equal(10054, read.Result.SocketErrorCode);
        AssertPassed(result);
    }

    [RootFact]
    public async Task Write_after_peer_close_succeeds_once_provokes_a_RST_after_the_FIN_and_then_fails_with_EPIPE()
    {
        var result = await RunAsync("write-after-peer-close", Root);

        var sends = result.Steps.Where(s => s.Actor == Actor.Client && s.Action.StartsWith("send", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, sends.Count);
        Assert.True(sends[1].Result.Ok);
        Assert.Equal("EPIPE", Libc.ErrnoName(sends[2].Result.Errno!.Value));
        var serverFin = result.Packets.ToList().FindIndex(p => !p.FromClient && (p.Flags & TcpFlags.Fin) != 0);
        var serverRst = result.Packets.ToList().FindIndex(p => !p.FromClient && (p.Flags & TcpFlags.Rst) != 0);
        Assert.InRange(serverFin, 0, int.MaxValue);
        Assert.True(serverRst > serverFin, "the server's RST comes after its FIN");
        Assert.True(result.Packets[serverRst - 1] is { FromClient: true, Length: 1 }, "the RST answers the client's 1-byte write");
        Assert.True(result.Observed!.AfterFin);
        AssertPassed(result);
    }

    [LinuxFact]
    public async Task Without_capture_the_calls_and_states_are_still_recorded_and_no_verdict_is_claimed()
    {
        var result = await RunAsync("abortive-close", new LabEnvironment { CapturePackets = false });

        Assert.False(result.Captured);
        Assert.Empty(result.Packets);
        Assert.Null(result.Agrees);
        Assert.Null(result.Observed);
        var connect = Assert.Single(result.Steps, s => s.Action.StartsWith("connect", StringComparison.Ordinal));
        Assert.Equal("ESTABLISHED", connect.ClientState.State);
        Assert.Equal(ScenarioStatus.Passed, result.Status);
    }

    [Fact]
    public void Every_scenario_has_a_unique_lowercase_id_a_title_and_a_description()
    {
        var ids = new HashSet<string>();
        foreach (var scenario in ScenarioCatalog.All)
        {
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", scenario.Id);
            Assert.True(ids.Add(scenario.Id), $"duplicate id {scenario.Id}");
            Assert.False(string.IsNullOrWhiteSpace(scenario.Title));
            Assert.False(string.IsNullOrWhiteSpace(scenario.Description));
        }
    }

    [Fact]
    public void The_catalogue_lists_every_scenario_class_once_loopback_ones_first()
    {
        // The catalogue is a hand-written list (the ahead-of-time compiled build keeps only what it sees used).
        var classes = typeof(Scenario).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Scenario)) && !t.IsAbstract);
        var listed = ScenarioCatalog.All.Select(s => s.GetType()).ToList();

        Assert.Equal(22, listed.Count);
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(classes.Select(t => t.FullName).Order(), listed.Select(t => t.FullName).Order());
        var places = ScenarioCatalog.All.Select(s => s.Place).ToList();
        Assert.True(places.IndexOf(ScenarioPlace.Namespaces) > places.LastIndexOf(ScenarioPlace.Loopback), "loopback scenarios first");
    }

    private static async Task<ScenarioResult> RunAsync(string id, LabEnvironment environment)
    {
        var scenario = ScenarioCatalog.Find(id) ?? throw new InvalidOperationException($"no scenario {id}");
        return await new LabRunner(environment).RunAsync(scenario);
    }

    private static void AssertPassed(ScenarioResult result) =>
        Assert.True(result.Status == ScenarioStatus.Passed, $"{result.Scenario.Id}: {string.Join("; ", result.Failures)}");
}
