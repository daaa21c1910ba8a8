using System.Globalization;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab.Namespaces;

namespace Linger.Lab.Scenarios;

/// <summary>A firewall on the path silently drops the conversation: no answer at all, only timeouts.</summary>
internal sealed class FirewallDrop : NamespaceScenario
{
    private static readonly TimeSpan UserTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ConnectUserTimeout = TimeSpan.FromSeconds(1);

    public override string Id => "firewall-drop";

    public override string Title => "A firewall on the path silently drops packets";

    public override string Description =>
        "Mid-conversation the router gets nftables rules that drop the server port's packets both ways, answering "
        + "nothing. The client's next write succeeds locally; its kernel retransmits into the void, doubling the wait "
        + "each time, and the read fails with ETIMEDOUT (.NET: TimedOut, 10060) when TCP_USER_TIMEOUT (2 s here) "
        + "expires; by default that takes about 15 minutes (tcp_retries2). A new connection fares no better: its SYNs "
        + "go unanswered and connect fails with ETIMEDOUT (1 s here; by default about 2 minutes, tcp_syn_retries). "
        + "No RST is ever seen: silence is the firewall's signature, and the server never learns of any of it.";

    public override Expectation Expected => new(Verdict.Open);

    public override string ExplainCode => "ETIMEDOUT";

    protected override async Task RunAsync(ScenarioContext context, NamespaceSite site)
    {
        var listener = context.Listen();
        if (await ConnectPairAsync(context, listener).ConfigureAwait(false) is not var (client, server))
        {
            return;
        }

        await context.SendAsync(Actor.Client, client, "GET 1\n"u8.ToArray()).ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        SetUserTimeout(context, Actor.Client, client, UserTimeout);

        var port = context.ServerEndPoint.Port.ToString(CultureInfo.InvariantCulture);
        var toServer = await AddRouterRuleAsync(context, site, "forward", $"tcp dport {port} drop").ConfigureAwait(false);
        var fromServer = await AddRouterRuleAsync(context, site, "forward", $"tcp sport {port} drop").ConfigureAwait(false);
        context.Expect(toServer.Ok && fromServer.Ok, $"the router should take the drop rules; nft said {toServer.Detail} / {fromServer.Detail}");

        var send = await context.SendAsync(Actor.Client, client, "GET 2\n"u8.ToArray()).ConfigureAwait(false);
        context.Expect(send.Ok, $"the write into the dropped path should succeed locally; it returned {send.Brief()}");
        var receive = await context.ReceiveAsync(Actor.Client, client, 64, UserTimeout + TimeSpan.FromSeconds(2), "receive (waits while the kernel retransmits)").ConfigureAwait(false);
        context.Expect(receive.SocketError == SocketError.TimedOut, $"the read should fail with ETIMEDOUT when TCP_USER_TIMEOUT expires; it returned {receive.Brief()}");
        context.Expect(context.Steps[^1].ServerState.State == "ESTABLISHED", $"the server should still be ESTABLISHED; it is {context.Steps[^1].ServerState.State}");

        var second = context.NewSocket(Actor.Client);
        SetUserTimeout(context, Actor.Client, second, ConnectUserTimeout);
        var connect = await context.ConnectAsync(second, ConnectUserTimeout + TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        context.Expect(connect.SocketError == SocketError.TimedOut, $"a new connect through the firewall should fail with ETIMEDOUT; it returned {connect.Brief()}");
    }
}
