using System.Globalization;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab.Namespaces;

namespace Linger.Lab.Scenarios;

/// <summary>A stateful middlebox forgets an idle conversation; the next write after the pause goes nowhere.</summary>
internal sealed class MiddleboxIdleTimeout : NamespaceScenario
{
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan UserTimeout = TimeSpan.FromSeconds(2);

    public override string Id => "middlebox-idle-timeout";

    public override string Title => "A stateful firewall forgets an idle connection";

    public override string Description =>
        "The router is a stateful firewall: connection tracking, a rule that drops packets of no known connection "
        + "(ct state invalid, with nf_conntrack_tcp_loose=0 so a mid-stream packet cannot start a new entry), and an "
        + "idle timeout of 1 s for established connections (NAT gateways and cloud load balancers use minutes: the "
        + "story is the same). Client and server talk, then stay silent for 1.5 s. The router forgets the connection. "
        + "The client's next write succeeds locally, but the router drops it and every retransmission: the read "
        + "fails with ETIMEDOUT once TCP_USER_TIMEOUT (2 s) expires. Both ends still believe in the connection; "
        + "keep-alives shorter than the middlebox's idle timeout would have kept it alive.";

    public override Expectation Expected => new(Verdict.Open);

    public override string ExplainCode => "ETIMEDOUT";

    protected override async Task RunAsync(ScenarioContext context, NamespaceSite site)
    {
        var timeout = site.SetSysctl(context, NetworkNode.Router, "net.netfilter.nf_conntrack_tcp_timeout_established", "1");
        var loose = site.SetSysctl(context, NetworkNode.Router, "net.netfilter.nf_conntrack_tcp_loose", "0");
        var rule = await AddRouterRuleAsync(context, site, "forward", "ct state invalid drop").ConfigureAwait(false);
        context.Expect(timeout.Ok && loose.Ok && rule.Ok, "the router should become a stateful firewall (sysctls and nft rule)");

        var listener = context.Listen();
        if (await ConnectPairAsync(context, listener).ConfigureAwait(false) is not var (client, server))
        {
            return;
        }

        await context.SendAsync(Actor.Client, client, "GET 1\n"u8.ToArray()).ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        await context.SendAsync(Actor.Server, server, "OK 1\n"u8.ToArray()).ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Client, client, 64).ConfigureAwait(false);
        SetUserTimeout(context, Actor.Client, client, UserTimeout);
        var before = RecordTrackedConnections(context, site, "before the pause");

        await context.DelayAsync(Idle).ConfigureAwait(false);
        var after = RecordTrackedConnections(context, site, $"after {Idle.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s of silence");
        context.Expect(before is null || after is null || (before > 0 && after == 0), $"the router should forget the connection while it is idle (tracked before: {before}, after: {after})");

        var send = await context.SendAsync(Actor.Client, client, "GET 2\n"u8.ToArray(), "send 6 bytes (after the pause)").ConfigureAwait(false);
        context.Expect(send.Ok, $"the write after the pause should succeed locally; it returned {send.Brief()}");
        var receive = await context.ReceiveAsync(Actor.Client, client, 64, UserTimeout + TimeSpan.FromSeconds(2), "receive (waits while the kernel retransmits)").ConfigureAwait(false);
        context.Expect(receive.SocketError == SocketError.TimedOut, $"the read should fail with ETIMEDOUT; it returned {receive.Brief()}");
        context.Expect(context.Steps[^1].ServerState.State == "ESTABLISHED", $"the server should still be ESTABLISHED; it is {context.Steps[^1].ServerState.State}");
    }

    // The router's conntrack table for the server's port, read in the router's namespace. Null when the kernel has no
    // /proc/net/nf_conntrack (CONFIG_NF_CONNTRACK_PROCFS off): then the packets alone tell the story.
    private static int? RecordTrackedConnections(ScenarioContext context, NamespaceSite site, string when)
    {
        var port = "dport=" + context.ServerEndPoint.Port.ToString(CultureInfo.InvariantCulture) + " ";
        var count = site.Invoke(NetworkNode.Router, () =>
        {
            try
            {
                return File.ReadAllLines("/proc/thread-self/net/nf_conntrack").Count(line => line.Contains(port, StringComparison.Ordinal));
            }
            catch (IOException)
            {
                return (int?)null;
            }
        });
        context.Record(Actor.Network, $"router: connections tracked for the server's port {when}", count is { } n
            ? StepResult.Success(detail: $"{n} in /proc/net/nf_conntrack")
            : StepResult.Failed("/proc/net/nf_conntrack is not available in this kernel"));
        return count;
    }
}
