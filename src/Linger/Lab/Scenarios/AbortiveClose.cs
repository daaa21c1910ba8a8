using System.Net.Sockets;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>SO_LINGER {1,0}: close sends a RST instead of a FIN.</summary>
internal sealed class AbortiveClose : Scenario
{
    public override string Id => "abortive-close";

    public override string Title => "Abortive close with SO_LINGER {1,0}";

    public override string Description =>
        "The server sets SO_LINGER to {on, 0 seconds} and closes. Instead of a FIN its kernel sends a RST and forgets "
        + "the connection at once (no TIME_WAIT). The client's next read fails with ECONNRESET (.NET: "
        + "ConnectionReset, 10054): the classic 'connection reset by peer'.";

    public override Expectation Expected => new(Verdict.Reset, Side.Server);

    public override IReadOnlyList<string> DifferenceIds => ["abortive-reset"];

    public override string ExplainCode => "ECONNRESET";

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var listener = context.Listen();
        var client = context.NewSocket(Actor.Client);
        var server = await context.ConnectAndAcceptAsync(listener, client).ConfigureAwait(false);
        if (server is null)
        {
            return;
        }

        await context.SendAsync(Actor.Client, client, "ping\n"u8.ToArray(), "send \"ping\\n\" (5 bytes)").ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        context.SetLinger(Actor.Server, server, enabled: true, seconds: 0);
        context.Close(Actor.Server, server, "close (abortive: RST)");
        var read = await context.ReceiveAsync(Actor.Client, client, 64).ConfigureAwait(false);
        context.Expect(read.SocketError == SocketError.ConnectionReset, $"the client's read should fail with ECONNRESET; it returned {read.Brief()}");
        context.Close(Actor.Client, client);
    }
}
