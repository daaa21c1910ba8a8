using System.Globalization;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab.Namespaces;

namespace Linger.Lab.Scenarios;

/// <summary>A firewall on the path answers mid-conversation with a TCP reset in the server's name.</summary>
internal sealed class FirewallReject : NamespaceScenario
{
    public override string Id => "firewall-reject";

    public override string Title => "A firewall on the path resets the conversation";

    public override string Description =>
        "Client and server talk through a router. Mid-conversation the router gets an nftables rule `reject with tcp "
        + "reset` for the server's port. The client's next write succeeds locally; the router answers it with a RST "
        + "that carries the server's address, and the client's read fails with ECONNRESET (.NET: ConnectionReset, "
        + "10054). The server never hears of it and stays ESTABLISHED. The RST gives the forgery away: the router "
        + "made it, so it arrives with TTL 64, while the server's own packets, forwarded one hop, arrive with 63.";

    public override Expectation Expected => new(Verdict.Reset, Side.Server) { SuspectedInjection = true };

    public override string ExplainCode => "ECONNRESET";

    protected override async Task RunAsync(ScenarioContext context, NamespaceSite site)
    {
        var listener = context.Listen();
        if (await ConnectPairAsync(context, listener).ConfigureAwait(false) is not var (client, server))
        {
            return;
        }

        await context.SendAsync(Actor.Client, client, "GET 1\n"u8.ToArray()).ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        await context.SendAsync(Actor.Server, server, "OK 1\n"u8.ToArray()).ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Client, client, 64).ConfigureAwait(false);

        var port = context.ServerEndPoint.Port.ToString(CultureInfo.InvariantCulture);
        var rule = await AddRouterRuleAsync(context, site, "forward", $"tcp dport {port} reject with tcp reset").ConfigureAwait(false);
        context.Expect(rule.Ok, $"the router should take the reject rule; nft said {rule.Detail}");

        var send = await context.SendAsync(Actor.Client, client, "GET 2\n"u8.ToArray()).ConfigureAwait(false);
        context.Expect(send.Ok, $"the write after the rule should succeed locally; it returned {send.Brief()}");
        var receive = await context.ReceiveAsync(Actor.Client, client, 64).ConfigureAwait(false);
        context.Expect(receive.SocketError == SocketError.ConnectionReset, $"the read should fail with ECONNRESET; it returned {receive.Brief()}");
        var quiet = await context.ReceiveAsync(Actor.Server, server, 64, TimeSpan.FromMilliseconds(300), "receive (the server waits for GET 2)").ConfigureAwait(false);
        context.Expect(!quiet.Ok && quiet.SocketError is null, $"the server should hear nothing; its read returned {quiet.Brief()}");
        context.Expect(context.Steps[^1].ServerState.State == "ESTABLISHED", $"the server should still be ESTABLISHED; it is {context.Steps[^1].ServerState.State}");
    }
}
