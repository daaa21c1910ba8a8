using System.Net.Sockets;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>The receiver stops reading: its window closes, the sender's send blocks, and an application timeout aborts.</summary>
internal sealed class ZeroWindowStall : Scenario
{
    // Small buffers fill in a few dozen kilobytes, so the stall comes at once.
    private const int BufferSize = 4096;
    private const int Chunk = 4096;
    private const int Message = 1024 * 1024;

    // Long enough for the sender's persist timer to probe the zero window more than once (200 ms, then 400 ms).
    private static readonly TimeSpan SendTimeout = TimeSpan.FromMilliseconds(800);

    public override string Id => "zero-window-stall";

    public override string Title => "Zero-window stall: the receiver stops reading";

    public override string Description =>
        "The server accepts and then never reads. The client sends a 1 MiB message: the server's small receive buffer "
        + "fills, its kernel advertises a zero window, the client's send buffer fills behind it, and send blocks. "
        + "Nothing is lost and nothing times out in TCP: the client's kernel keeps probing the closed window (zero-"
        + "window probes) and the server's kernel keeps answering them, so the connection could stall forever. Only "
        + "the application can end it: after its own timeout the client aborts (SO_LINGER {1,0}, close: RST). When the "
        + "server finally reads, it first gets the bytes its kernel had already acknowledged, and then ECONNRESET.";

    public override Expectation Expected => new(Verdict.Reset, Side.Client);

    public override IReadOnlyList<string> DifferenceIds => ["abortive-reset"];

    public override string ExplainCode => "ECONNRESET";

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var listener = context.Listen();
        context.Step(Actor.Server, $"set SO_RCVBUF {BufferSize} on the listener (accepted sockets inherit it)", () =>
        {
            listener.ReceiveBufferSize = BufferSize;
            return StepResult.Success();
        });
        var client = context.NewSocket(Actor.Client);
        context.Step(Actor.Client, $"set SO_SNDBUF {BufferSize}", () =>
        {
            client.SendBufferSize = BufferSize;
            return StepResult.Success();
        });
        var server = await context.ConnectAndAcceptAsync(listener, client).ConfigureAwait(false);
        if (server is null)
        {
            return;
        }

        long sent = 0;
        var send = await context.StepAsync(
            Actor.Client,
            $"send a {Message / 1024} KiB message (the server does not read)",
            async ct =>
            {
                // In chunks, so the bytes the kernel took are known when the timeout cancels the send.
                var data = new byte[Chunk];
                while (sent < Message)
                {
                    sent += await client.SendAsync(data, SocketFlags.None, ct).ConfigureAwait(false);
                }

                return StepResult.Success(sent);
            },
            SendTimeout,
            () => sent).ConfigureAwait(false);
        context.Expect(
            send is { Ok: false, SocketError: null } && sent < Message,
            $"the send should block until the application timeout, with part of the message taken by the kernel; it returned {send.Brief()} after {ScenarioContext.Plural(sent, "byte")}");

        context.SetLinger(Actor.Client, client, enabled: true, seconds: 0);
        context.Close(Actor.Client, client, "close (abortive: the application gives up)");

        // The RST does not take back what the server's kernel had already acknowledged: the reads return that first.
        var read = await context.ReceiveAsync(Actor.Server, server, 65536, what: "receive (the server reads at last)").ConfigureAwait(false);
        context.Expect(read is { Ok: true, Bytes: > 0 }, $"the server's first read should still return the bytes its kernel had acknowledged; it returned {read.Brief()}");
        var next = await context.ReceiveAsync(Actor.Server, server, 65536, what: "receive again").ConfigureAwait(false);
        context.Expect(next.SocketError == SocketError.ConnectionReset, $"the server's next read should fail with ECONNRESET; it returned {next.Brief()}");
        context.Close(Actor.Server, server);
    }
}
