using System.Net.Sockets;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>A plain close() with the peer's bytes still unread: the kernel sends RST, not FIN (RFC 1122 4.2.2.13).</summary>
internal sealed class CloseWithUnreadData : Scenario
{
    public override string Id => "close-with-unread-data";

    public override string Title => "Close with the client's bytes unread: RST instead of FIN";

    public override string Description =>
        "The client sends a request; the server never reads it and closes normally, without SO_LINGER. Because data "
        + "it received was never read, its kernel does not send a FIN but a RST (RFC 1122 4.2.2.13: the data is lost, "
        + "so the peer must be told). The client's read fails with ECONNRESET (.NET: ConnectionReset, 10054), the same "
        + "as an abortive close, although the server did nothing unusual.";

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

        await context.SendAsync(Actor.Client, client, "GET /report\n"u8.ToArray(), "send \"GET /report\\n\" (12 bytes)").ConfigureAwait(false);

        // Let the bytes land in the server's receive queue, so the close finds them there unread.
        await context.DelayAsync(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        context.Close(Actor.Server, server, "close (12 bytes unread)");
        var read = await context.ReceiveAsync(Actor.Client, client, 64).ConfigureAwait(false);
        context.Expect(read.SocketError == SocketError.ConnectionReset, $"the client's read should fail with ECONNRESET; it returned {read.Brief()}");
        context.Close(Actor.Client, client);
    }
}
