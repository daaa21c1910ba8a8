using System.Net.Sockets;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>shutdown(SHUT_WR) done right: the client ends its request with a FIN and still reads the whole answer.</summary>
internal sealed class HalfClose : Scenario
{
    private const int PartBytes = 32 * 1024;

    public override string Id => "half-close";

    public override string Title => "Half-close: shutdown of the sending side, then read the rest";

    public override string Description =>
        "The client sends its request and, while the server is still answering, shuts down only its sending "
        + "direction: shutdown(SHUT_WR) sends a FIN that says 'no more requests' but keeps the socket open for "
        + "reading. The server reads the end of the stream, sends the rest of its answer and closes. The client reads "
        + "until its own end of stream and gets every byte: nothing is lost, and the connection ends with two FINs. "
        + "(Closing instead of shutting down would have thrown away the answer and, with it unread, sent a RST.)";

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

        var part = new byte[PartBytes];
        part.AsSpan().Fill((byte)'a');
        await context.SendAsync(Actor.Client, client, "GET /report\n"u8.ToArray(), "send \"GET /report\\n\" (12 bytes)").ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        await context.SendAsync(Actor.Server, server, part, $"send the first part of the answer ({ScenarioContext.Plural(PartBytes, "byte")})").ConfigureAwait(false);
        context.Shutdown(Actor.Client, client, SocketShutdown.Send);
        var end = await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        context.Expect(end is { Ok: true, Bytes: 0 }, $"the server should read the client's FIN as the end of the stream; it saw {end.Brief()}");
        var rest = await context.SendAsync(Actor.Server, server, part, $"send the rest of the answer ({ScenarioContext.Plural(PartBytes, "byte")}), after the client's FIN").ConfigureAwait(false);
        context.Expect(rest.Ok, $"a half-closed peer still receives: the server's send should succeed; it returned {rest.Brief()}");
        context.Close(Actor.Server, server);
        var answer = await ReadToEndAsync(context, client).ConfigureAwait(false);
        context.Expect(answer is { Ok: true, Bytes: 2 * PartBytes },
            $"the client should read the whole answer ({2 * PartBytes} bytes) and then the end of the stream; it got {answer.Brief()} ({answer.Detail})");
        context.Close(Actor.Client, client);
    }

    private static Task<StepResult> ReadToEndAsync(ScenarioContext context, Socket client) =>
        context.StepAsync(Actor.Client, "receive until the end of the stream", async ct =>
        {
            var buffer = new byte[16 * 1024];
            long total = 0;

            // Bounded in count (far more reads than the answer needs) and in time by the step's timeout.
            for (var i = 0; i < 10_000; i++)
            {
                int n;
                try
                {
                    n = await client.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    return StepResult.From(e, total);
                }

                if (n == 0)
                {
                    return StepResult.Success(total, $"{ScenarioContext.Plural(total, "byte")}, then end of stream (the server's FIN)");
                }

                total += n;
            }

            return StepResult.Failed($"{ScenarioContext.Plural(total, "byte")} and still no end of stream");
        });
}
