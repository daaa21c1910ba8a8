using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Wire;

namespace Linger.Tests.Lab;

/// <summary>
/// Each namespace scenario, played for real across client, router and server namespaces: what the calls returned
/// (errno, read from the recorded steps), what the packets show (read from the capture, with tshark where a header
/// field matters), and that the analyser's verdict on those packets agrees.
/// </summary>
[Collection(NamespaceTestGroup.Name)]
public sealed class NamespaceScenarioTests : IDisposable
{
    private const int Econnreset = 104;
    private const int Etimedout = 110;
    private const int Eaddrnotavail = 99;

    private readonly string _captures = Directory.CreateTempSubdirectory("linger-lab-ns-test-").FullName;

    public void Dispose() => Directory.Delete(_captures, recursive: true);

    [RootFact]
    public async Task Firewall_reject_resets_the_client_with_a_RST_the_router_made_in_the_servers_name()
    {
        var result = await NamespaceLab.RunAsync("firewall-reject", _captures);

        var rule = NamespaceLab.Step(result, Actor.Network, "router: nft 'add rule");
        var read = NamespaceLab.Step(result, Actor.Client, "receive", NamespaceLab.IndexOf(result, rule));
        Assert.Equal(Econnreset, read.Result.Errno);
        Assert.Equal("ESTABLISHED", result.Steps[^1].ServerState.State);

        // Forwarded server packets lose one hop (63); the router's own RST leaves with the default TTL (64).
        var pcap = Path.Combine(_captures, "firewall-reject.pcapng");
        var server = $"ip.src == {result.Server!.Address} && tcp.srcport == {result.Server.Port}";
        Assert.Equal(["64"], await NamespaceLab.TsharkFieldAsync(pcap, $"{server} && tcp.flags.reset == 1", "ip.ttl"));
        Assert.All(await NamespaceLab.TsharkFieldAsync(pcap, $"{server} && tcp.flags.reset == 0", "ip.ttl"), ttl => Assert.Equal("63", ttl));

        Assert.Equal(Verdict.Reset, result.Observed!.Verdict);
        Assert.Equal(Side.Server, result.Observed.ResetBy);
        Assert.True(result.Observed.SuspectedInjection, "a RST with the router's TTL should look injected");
        Assert.True(result.Agrees);
        Assert.Equal(ScenarioStatus.Passed, result.Status);
    }

    [RootFact]
    public async Task Firewall_drop_ends_in_ETIMEDOUT_for_the_established_connection_and_for_a_new_connect()
    {
        var result = await NamespaceLab.RunAsync("firewall-drop", _captures);

        var rule = NamespaceLab.IndexOf(result, NamespaceLab.Step(result, Actor.Network, "router: nft 'add rule"));
        var write = NamespaceLab.Step(result, Actor.Client, "send", rule);
        Assert.True(write.Result.Ok, "the write into the dropped path succeeds locally");
        var read = NamespaceLab.Step(result, Actor.Client, "receive", rule);
        Assert.Equal(Etimedout, read.Result.Errno);
        var connect = NamespaceLab.Step(result, Actor.Client, "connect", NamespaceLab.IndexOf(result, read));
        Assert.Equal(Etimedout, connect.Result.Errno);

        Assert.DoesNotContain(result.Packets, p => p.Flags.HasFlag(TcpFlags.Rst));
        Assert.Equal(Verdict.Open, result.Observed!.Verdict);
        Assert.True(result.Observed.Counts.Retransmissions >= 2, $"the client retransmits into the void; {result.Observed.Counts.Retransmissions} retransmissions");
        Assert.Contains(result.Conversations, c => c.Verdict == Verdict.Unanswered && c.Client.Port != result.Client!.Port);
        Assert.True(result.Agrees);
        Assert.Equal(ScenarioStatus.Passed, result.Status);
    }

    [RootFact]
    public async Task Middlebox_idle_timeout_drops_the_first_write_after_the_pause_until_ETIMEDOUT()
    {
        var result = await NamespaceLab.RunAsync("middlebox-idle-timeout", _captures);

        var write = NamespaceLab.Step(result, Actor.Client, "send 6 bytes (after the pause)");
        Assert.True(write.Result.Ok);
        var read = NamespaceLab.Step(result, Actor.Client, "receive", NamespaceLab.IndexOf(result, write));
        Assert.Equal(Etimedout, read.Result.Errno);
        Assert.Equal("ESTABLISHED", read.ServerState.State);

        // Nothing of the server's reached the client after the write: not an ACK, not a RST.
        Assert.DoesNotContain(result.Packets, p => !p.FromClient && p.TimeMs > write.TimeMs);
        Assert.Contains(result.Packets, p => p.FromClient && p.TimeMs > write.TimeMs + 100 && p.Length > 0);
        Assert.Equal(Verdict.Open, result.Observed!.Verdict);
        Assert.True(result.Agrees);
        Assert.Equal(ScenarioStatus.Passed, result.Status);
    }

    [RootFact]
    public async Task Injected_reset_is_accepted_by_the_client_and_flagged_by_the_analyser_for_its_TTL()
    {
        var result = await NamespaceLab.RunAsync("injected-reset", _captures);

        var injection = NamespaceLab.Step(result, Actor.Network, "router: the third party sends RST");
        var read = NamespaceLab.Step(result, Actor.Client, "receive", NamespaceLab.IndexOf(result, injection));
        Assert.Equal(Econnreset, read.Result.Errno);
        Assert.Equal("ESTABLISHED", result.Steps[^1].ServerState.State);

        var pcap = Path.Combine(_captures, "injected-reset.pcapng");
        var fromServer = $"ip.src == {result.Server!.Address} && tcp.srcport == {result.Server.Port}";
        Assert.Equal(["100"], await NamespaceLab.TsharkFieldAsync(pcap, $"{fromServer} && tcp.flags.reset == 1", "ip.ttl"));

        Assert.Equal(Verdict.Reset, result.Observed!.Verdict);
        Assert.Equal(Side.Server, result.Observed.ResetBy);
        Assert.True(result.Observed.SuspectedInjection);
        Assert.Contains(result.Observed.InjectionReasons, r => r.StartsWith("ttl-mismatch", StringComparison.Ordinal));
        Assert.True(result.Agrees);
        Assert.Equal(ScenarioStatus.Passed, result.Status);
    }

    [RootFact]
    public async Task Mtu_blackhole_lets_a_small_message_through_and_stalls_a_large_upload()
    {
        var result = await NamespaceLab.RunAsync("mtu-blackhole", _captures);

        var small = NamespaceLab.Step(result, Actor.Server, "receive (up to 64 bytes)");
        Assert.True(small.Result.Ok && small.Result.Bytes > 0);
        var large = NamespaceLab.Step(result, Actor.Server, "receive (waits for the upload)");
        Assert.False(large.Result.Ok);
        Assert.Null(large.Result.Errno);
        Assert.True(large.ClientState.SendQueue > 0, "the upload is still in the client's send queue");
        var reset = NamespaceLab.Step(result, Actor.Server, "receive", NamespaceLab.IndexOf(result, large));
        Assert.Equal(Econnreset, reset.Result.Errno);

        // The server never acknowledged a byte of the upload: its ACKs stop right after the small request.
        var request = result.Packets.First(p => p.FromClient && p.Length > 0);
        Assert.All(result.Packets.Where(p => !p.FromClient && p.RelativeAcknowledgment is not null),
            p => Assert.True(p.RelativeAcknowledgment <= request.RelativeSequence + request.Length, $"server acknowledged {p.RelativeAcknowledgment}"));
        Assert.Contains(result.Packets, p => p.FromClient && p.Length > 1280 - 40);

        Assert.Equal(Verdict.Reset, result.Observed!.Verdict);
        Assert.Equal(Side.Client, result.Observed.ResetBy);
        Assert.True(result.Agrees);
        Assert.Equal(ScenarioStatus.Passed, result.Status);
    }

    [RootFact]
    public async Task Peer_unplugged_leaves_a_half_open_connection_writes_succeed_then_fail_with_ETIMEDOUT()
    {
        var result = await NamespaceLab.RunAsync("peer-unplugged", _captures);

        var down = NamespaceLab.IndexOf(result, NamespaceLab.Step(result, Actor.Network, "server: ip link set to-router down"));
        var writes = result.Steps.Skip(down + 1).Where(s => s.Actor == Actor.Client && s.Action.StartsWith("send", StringComparison.Ordinal)).ToList();
        Assert.True(writes[0].Result.Ok, "the first write after the cable is pulled succeeds");
        var failed = writes.First(s => !s.Result.Ok);
        Assert.Equal(Etimedout, failed.Result.Errno);
        Assert.Equal("CLOSED", failed.ClientState.State);
        Assert.Equal("ESTABLISHED", failed.ServerState.State);
        var last = result.Steps[^1];
        Assert.Equal(Actor.Server, last.Actor);
        Assert.Equal(Econnreset, last.Result.Errno);

        Assert.Equal(Verdict.Reset, result.Observed!.Verdict);
        Assert.Equal(Side.Client, result.Observed.ResetBy);
        Assert.True(result.Agrees);
        Assert.Equal(ScenarioStatus.Passed, result.Status);
    }

    [RootFact]
    public async Task Ephemeral_ports_run_out_after_eight_TIME_WAITs_in_an_eight_port_range()
    {
        var result = await NamespaceLab.RunAsync("ephemeral-port-exhaustion", _captures);

        var refused = result.Steps.Single(s => s.Actor == Actor.Client && s.Action.StartsWith("connect", StringComparison.Ordinal) && !s.Result.Ok);
        Assert.Equal(Eaddrnotavail, refused.Result.Errno);

        // The SYNs on the wire: eight connections from eight ports of the range, then one that reused a port.
        var syns = result.Packets.Where(p => p.FromClient && p.Flags == TcpFlags.Syn).ToList();
        Assert.All(syns, s => Assert.InRange(s.ClientPort, 40000, 40007));
        Assert.Equal(8, syns.Select(s => s.ClientPort).Distinct().Count());
        Assert.Equal(9, syns.Count);

        Assert.Equal(Verdict.Closed, result.Observed!.Verdict);
        Assert.True(result.Agrees);
        Assert.Equal(ScenarioStatus.Passed, result.Status);
    }

    [RootFact]
    public async Task A_namespace_scenario_without_packet_capture_still_records_the_kernels_results()
    {
        var result = await NamespaceLab.RunAsync("ephemeral-port-exhaustion", _captures, capture: false);

        Assert.False(result.Captured);
        Assert.Null(result.Agrees);
        Assert.Equal(ScenarioStatus.Passed, result.Status);
        Assert.Contains(result.Steps, s => s.Result.Errno == Eaddrnotavail);
    }

    [RootFact]
    public async Task No_lab_namespace_remains_after_a_run()
    {
        await NamespaceLab.RunAsync("firewall-reject", _captures);

        Assert.Empty(NamespaceLab.OwnNamespaces());
    }
}
