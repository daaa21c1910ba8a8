using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab.Namespaces;

namespace Linger.Lab.Scenarios;

/// <summary>A narrow link on the path and blocked ICMP: small messages pass, full-sized segments vanish.</summary>
internal sealed class MtuBlackhole : NamespaceScenario
{
    private const int LinkMtu = 1280;
    private const int LargeTransfer = 64 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromMilliseconds(1500);

    public override string Id => "mtu-blackhole";

    public override string Title => "Path MTU black hole: small messages pass, a large transfer stalls";

    public override string Description =>
        "The router's link to the server carries at most 1280-byte packets, but both ends have 1500-byte links and "
        + "agree on a 1460-byte MSS. Full-sized segments carry Don't Fragment, so the router drops them and answers "
        + "with ICMP \"fragmentation needed\", which a firewall rule blocks, so the client never learns the path's MTU. "
        + "The handshake and a short request pass; a 64 KiB upload stalls: the client's kernel retransmits the same "
        + "full-sized segments, the server receives nothing, and only an application timeout ends it. Here the client "
        + "gives up and aborts (SO_LINGER {1,0}): its 40-byte RST passes easily and the server reads ECONNRESET.";

    public override Expectation Expected => new(Verdict.Reset, Side.Client) { SuspectedInjection = false };

    public override string ExplainCode => "ECONNRESET";

    protected override async Task RunAsync(ScenarioContext context, NamespaceSite site)
    {
        var mtu = await site.RunAsync(context, NetworkNode.Router, "ip", "link", "set", NamespaceTopology.RouterServerLink, "mtu", $"{LinkMtu}").ConfigureAwait(false);
        var icmp = await AddRouterRuleAsync(context, site, "output", "icmp type destination-unreachable icmp code frag-needed drop").ConfigureAwait(false);
        context.Expect(mtu.Ok && icmp.Ok, "the router should get the narrow link and the ICMP rule");

        var listener = context.Listen();
        if (await ConnectPairAsync(context, listener).ConfigureAwait(false) is not var (client, server))
        {
            return;
        }

        await context.SendAsync(Actor.Client, client, "PUT file 65536\n"u8.ToArray()).ConfigureAwait(false);
        var small = await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        context.Expect(small.Ok && small.Bytes > 0, $"a small message should pass the narrow link; the server's read returned {small.Brief()}");

        var upload = await context.SendAsync(Actor.Client, client, new byte[LargeTransfer], $"send {LargeTransfer} bytes", Patience).ConfigureAwait(false);
        var large = await context.ReceiveAsync(Actor.Server, server, LargeTransfer, Patience, "receive (waits for the upload)").ConfigureAwait(false);
        context.Expect(!large.Ok && large.SocketError is null, $"nothing of the upload should reach the server; its read returned {large.Brief()}");
        var stuck = context.Steps[^1].ClientState.SendQueue;
        context.Expect(stuck > 0, $"the client's kernel should still hold the unacknowledged upload; its send queue is {stuck} bytes (the send returned {upload.Brief()})");

        context.SetLinger(Actor.Client, client, true, 0);
        context.Close(Actor.Client, client, "close (abortive: the application gives up)");
        var reset = await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        context.Expect(reset.SocketError == SocketError.ConnectionReset, $"the client's RST is small and should reach the server: its read should fail with ECONNRESET; it returned {reset.Brief()}");
    }
}
