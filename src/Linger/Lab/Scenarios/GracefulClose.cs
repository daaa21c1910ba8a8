using System.Net.Sockets;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>The baseline: a request, an answer, and both sides close with FIN.</summary>
internal sealed class GracefulClose : Scenario
{
    public override string Id => "graceful-close";

    public override string Title => "Graceful close: both sides send FIN";

    public override string Description =>
        "The baseline every other scenario departs from. The client sends a request and shuts down its sending "
        + "direction (FIN); the server reads it, sees the end of the stream, answers and closes (FIN). Each side's "
        + "last read returns 0 bytes, and the side that closed first waits in TIME_WAIT.";

    public override Expectation Expected => new(Verdict.Closed);

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

        await context.SendAsync(Actor.Client, client, "hello\n"u8.ToArray(), "send \"hello\\n\" (6 bytes)").ConfigureAwait(false);
        context.Shutdown(Actor.Client, client, SocketShutdown.Send);
        await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        var end = await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        context.Expect(end is { Ok: true, Bytes: 0 }, $"the server should see the end of the stream; it saw {end.Brief()}");
        await context.SendAsync(Actor.Server, server, "bye\n"u8.ToArray(), "send \"bye\\n\" (4 bytes)").ConfigureAwait(false);
        context.Close(Actor.Server, server);
        await context.ReceiveAsync(Actor.Client, client, 64).ConfigureAwait(false);
        var last = await context.ReceiveAsync(Actor.Client, client, 64).ConfigureAwait(false);
        context.Expect(last is { Ok: true, Bytes: 0 }, $"the client should see the end of the stream; it saw {last.Brief()}");
        context.Close(Actor.Client, client);
    }
}
