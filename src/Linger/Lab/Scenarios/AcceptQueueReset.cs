using System.Net.Sockets;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>A listener closed while connections wait in its accept queue: the kernel resets every one of them.</summary>
internal sealed class AcceptQueueReset : Scenario
{
    public override string Id => "accept-queue-reset";

    public override string Title => "Listener closed with connections waiting to be accepted";

    public override string Description =>
        "Two clients connect; the kernel completes both handshakes, so both connects succeed, and the connections wait "
        + "in the listener's accept queue. The first client even sends a request, which the server's kernel "
        + "acknowledges. Then the server closes its listening socket without accepting (a shutdown, a restart). The "
        + "kernel resets every queued connection: the clients, which had every reason to believe they were "
        + "connected, see ECONNRESET (.NET: ConnectionReset, 10054) on their next read. A new connect is refused.";

    public override Expectation Expected => new(Verdict.Reset, Side.Server);

    public override IReadOnlyList<string> DifferenceIds => ["abortive-reset"];

    public override string ExplainCode => "ECONNRESET";

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var listener = context.Listen(backlog: 4);
        var first = context.NewSocket(Actor.Client);
        var second = context.NewSocket(Actor.Client);
        var connectFirst = await context.ConnectAsync(first).ConfigureAwait(false);
        var connectSecond = await context.ConnectAsync(second).ConfigureAwait(false);
        context.Expect(connectFirst.Ok && connectSecond.Ok, $"both connects should succeed without accept; they returned {connectFirst.Brief()} and {connectSecond.Brief()}");
        await context.SendAsync(Actor.Client, first, "GET / HTTP/1.0\r\n\r\n"u8.ToArray(), "send a request (18 bytes), never accepted").ConfigureAwait(false);

        context.Close(Actor.Server, listener, "close the listening socket (2 connections still queued)");

        var readFirst = await context.ReceiveAsync(Actor.Client, first, 64, what: "receive on the first connection").ConfigureAwait(false);
        context.Expect(readFirst.SocketError == SocketError.ConnectionReset, $"the first client's read should fail with ECONNRESET; it returned {readFirst.Brief()}");
        var readSecond = await context.ReceiveAsync(Actor.Client, second, 64, what: "receive on the second connection").ConfigureAwait(false);
        context.Expect(readSecond.SocketError == SocketError.ConnectionReset, $"the second client's read should fail with ECONNRESET; it returned {readSecond.Brief()}");

        var late = context.NewSocket(Actor.Client);
        var connectLate = await context.ConnectAsync(late).ConfigureAwait(false);
        context.Expect(connectLate.SocketError == SocketError.ConnectionRefused, $"a connect after the listener closed should be refused; it returned {connectLate.Brief()}");
        context.Close(Actor.Client, first);
        context.Close(Actor.Client, second);
    }
}
