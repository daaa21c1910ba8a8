using System.Net.Sockets;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>The 10053 story: the server closes; the client's first write succeeds, provokes a RST, and the next fails.</summary>
internal sealed class WriteAfterPeerClose : Scenario
{
    public override string Id => "write-after-peer-close";

    public override string Title => "Write after the peer closed (the 10053 / EPIPE story)";

    public override string Description =>
        "The server reads 1 byte and closes normally (FIN). The client does not notice: a FIN only says the server "
        + "will send nothing more. Its first write of 1 byte succeeds locally, reaches a socket that no longer exists, "
        + "and the server's kernel answers with RST. The client's second write (2 bytes) then fails: EPIPE on Linux "
        + "(.NET: Shutdown, 10058), while Windows documents WSAECONNABORTED (10053) or WSAECONNRESET (10054). A read "
        + "after that reports the reset or the end of the stream.";

    public override Expectation Expected => new(Verdict.Reset, Side.Server);

    public override IReadOnlyList<string> DifferenceIds => ["write-after-peer-close", "sigpipe"];

    public override string ExplainCode => "EPIPE";

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

        await context.SendAsync(Actor.Client, client, "A"u8.ToArray(), "send 1 byte").ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Server, server, 1).ConfigureAwait(false);
        context.Close(Actor.Server, server);
        await context.DelayAsync(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        var first = await context.SendAsync(Actor.Client, client, "B"u8.ToArray(), "send 1 byte (after the server's FIN)").ConfigureAwait(false);
        context.Expect(first.Ok, $"the first write after the peer's close should succeed; it returned {first.Brief()}");
        await context.DelayAsync(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        var second = await context.SendAsync(Actor.Client, client, "CD"u8.ToArray(), "send 2 bytes (after the server's RST)").ConfigureAwait(false);
        context.Expect(!second.Ok, $"the second write should fail; it returned {second.Brief()}");
        await context.ReceiveAsync(Actor.Client, client, 64).ConfigureAwait(false);
        context.Close(Actor.Client, client);
    }
}
