using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab.Namespaces;

namespace Linger.Lab.Scenarios;

/// <summary>The server's cable is pulled mid-transfer: a half-open connection, writes that succeed, then a timeout.</summary>
internal sealed class PeerUnplugged : NamespaceScenario
{
    private const int Chunk = 1024;
    private const int MaxWrites = 20;
    private static readonly TimeSpan UserTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(250);

    public override string Id => "peer-unplugged";

    public override string Title => "The server's link goes down mid-transfer (half-open)";

    public override string Description =>
        "Mid-transfer the server's link goes down (ip link set down: a pulled cable). Nothing tells the client: its "
        + "writes of 1 KiB keep succeeding, because they only fill its send buffer, while its kernel retransmits the "
        + "first unacknowledged one. When TCP_USER_TIMEOUT (2 s here; by default about 15 minutes) expires, the "
        + "kernel gives up: the next write fails with ETIMEDOUT (.NET: TimedOut, 10060) and the socket is gone, "
        + "without a packet. The server, meanwhile, still holds an ESTABLISHED connection: half-open. When the cable "
        + "is back and the server writes, the client's kernel answers with RST and the server reads ECONNRESET (sometimes "
        + "after reading a retransmission the router held while the link was down: data from a socket already gone).";

    public override Expectation Expected => new(Verdict.Reset, Side.Client) { SuspectedInjection = false };

    public override string ExplainCode => "ETIMEDOUT";

    protected override async Task RunAsync(ScenarioContext context, NamespaceSite site)
    {
        var listener = context.Listen();
        if (await ConnectPairAsync(context, listener).ConfigureAwait(false) is not var (client, server))
        {
            return;
        }

        SetUserTimeout(context, Actor.Client, client, UserTimeout);
        var chunk = new byte[Chunk];
        await context.SendAsync(Actor.Client, client, chunk).ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Server, server, Chunk).ConfigureAwait(false);

        var down = await site.RunAsync(context, NetworkNode.Server, "ip", "link", "set", NamespaceTopology.ServerLink, "down").ConfigureAwait(false);
        context.Expect(down.Ok, $"the server's link should go down; ip said {down.Detail}");

        var succeeded = 0;
        StepResult? failed = null;
        for (var i = 0; i < MaxWrites && failed is null; i++)
        {
            var write = await context.SendAsync(Actor.Client, client, chunk).ConfigureAwait(false);
            if (write.Ok)
            {
                succeeded++;
                await context.DelayAsync(Pace).ConfigureAwait(false);
            }
            else
            {
                failed = write;
            }
        }

        context.Expect(succeeded > 0, "writes into the unplugged link should succeed for a while");
        context.Expect(failed?.SocketError == SocketError.TimedOut, $"a write should finally fail with ETIMEDOUT; the first failure was {failed?.Brief() ?? "none"}");
        context.Expect(context.Steps[^1].ClientState.State == "CLOSED" && context.Steps[^1].ServerState.State == "ESTABLISHED",
            $"the connection should be half-open: client gone, server ESTABLISHED; they are {context.Steps[^1].ClientState.State} and {context.Steps[^1].ServerState.State}");

        // Bringing a link down deletes its routes; plugging the cable back in restores the address's route only.
        await site.RunAsync(context, NetworkNode.Server, "ip", "link", "set", NamespaceTopology.ServerLink, "up").ConfigureAwait(false);
        await site.RunAsync(context, NetworkNode.Server, "ip", "route", "replace", "default", "via", NamespaceTopology.RouterServerAddress.ToString()).ConfigureAwait(false);
        await context.SendAsync(Actor.Server, server, "are you there?\n"u8.ToArray()).ConfigureAwait(false);

        // A retransmission the router held while it looked for the server (ARP) may be delivered now: the server
        // then first reads data from a connection that no longer exists, and only the next read reports the reset.
        StepResult read;
        var reads = 0;
        do
        {
            read = await context.ReceiveAsync(Actor.Server, server, Chunk * MaxWrites).ConfigureAwait(false);
        }
        while (read.Ok && read.Bytes > 0 && ++reads < 3);

        context.Expect(read.SocketError == SocketError.ConnectionReset, $"the server's read after its write into the dead connection should fail with ECONNRESET; it returned {read.Brief()}");
    }
}
