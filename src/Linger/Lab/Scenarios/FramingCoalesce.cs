using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>
/// TCP keeps no message boundaries: two messages sent back to back arrive as one read, a server that takes one read
/// for one message waits for a message it already has, the client times out and aborts. Then framing fixes it.
/// </summary>
internal sealed class FramingCoalesce : Scenario
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromMilliseconds(300);

    public override string Id => "framing-coalesce";

    public override string Title => "Two messages read as one: both sides wait, the client aborts";

    public override string Description =>
        "The client sends two messages back to back, \"HELLO alice\" and \"GET report\". TCP delivers a stream, not "
        + "messages: the server's one receive returns both, 21 bytes. The server assumes one receive is one message, "
        + "answers the first, and waits for the second, which it already read. The client waits for the second "
        + "answer. Both wait; the client gives up after its 300 ms application timeout and aborts (SO_LINGER {1,0}: "
        + "RST), and the server's pending receive fails with ECONNRESET. The same exchange on a second connection, "
        + "with each message prefixed by its 2-byte length, succeeds and ends with two FINs.";

    public override Expectation Expected => new(Verdict.Reset, Side.Client);

    public override IReadOnlyList<string> DifferenceIds => ["abortive-reset"];

    public override string ExplainCode => "ECONNRESET";

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var listener = context.Listen();
        var first = "HELLO alice"u8.ToArray();
        var second = "GET report"u8.ToArray();

        // The watched connection: no framing.
        var (client, server) = await ConnectAsync(context, listener).ConfigureAwait(false);
        if (client is null || server is null)
        {
            return;
        }

        await context.SendAsync(Actor.Client, client, first, "send message 1: \"HELLO alice\" (11 bytes)").ConfigureAwait(false);
        await context.SendAsync(Actor.Client, client, second, "send message 2: \"GET report\" (10 bytes)").ConfigureAwait(false);

        // A server busy for a moment: both messages are in its receive queue when it reads.
        await context.DelayAsync(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        var read = await context.ReceiveAsync(Actor.Server, server, 1024, what: "receive message 1 (one receive taken as one message)").ConfigureAwait(false);
        context.Expect(read is { Ok: true, Bytes: 21 }, $"the server's one receive should return both messages (21 bytes); it returned {read.Brief()}");
        await context.SendAsync(Actor.Server, server, "OK\n"u8.ToArray(), "send answer 1: \"OK\\n\"").ConfigureAwait(false);
        var waiting = context.ReceiveAsync(Actor.Server, server, 1024, TimeSpan.FromSeconds(3), "receive message 2 (already read with message 1)");
        await context.ReceiveAsync(Actor.Client, client, 1024, what: "receive answer 1").ConfigureAwait(false);
        var answer2 = await context.ReceiveAsync(Actor.Client, client, 1024, AnswerTimeout, "receive answer 2 (300 ms application timeout)").ConfigureAwait(false);
        context.Expect(answer2 is { Ok: false, SocketError: null }, $"the client should time out waiting for answer 2; it got {answer2.Brief()}");
        context.SetLinger(Actor.Client, client, enabled: true, seconds: 0);
        context.Close(Actor.Client, client, "close (abortive: RST), giving up");
        var stuck = await waiting.ConfigureAwait(false);
        context.Expect(stuck.SocketError == SocketError.ConnectionReset, $"the server's pending receive should fail with ECONNRESET; it returned {stuck.Brief()}");
        context.Close(Actor.Server, server);

        // The remedy, on a second connection: each message carries its length.
        var (client2, server2) = await ConnectAsync(context, listener).ConfigureAwait(false);
        if (client2 is null || server2 is null)
        {
            return;
        }

        await context.SendAsync(Actor.Client, client2, Framed(first), "send message 1 framed: length 11, \"HELLO alice\"").ConfigureAwait(false);
        await context.SendAsync(Actor.Client, client2, Framed(second), "send message 2 framed: length 10, \"GET report\"").ConfigureAwait(false);
        await context.DelayAsync(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        var message1 = await ReceiveFramedAsync(context, Actor.Server, server2, "receive message 1 (length, then that many bytes)").ConfigureAwait(false);
        var message2 = await ReceiveFramedAsync(context, Actor.Server, server2, "receive message 2 (length, then that many bytes)").ConfigureAwait(false);
        context.Expect(message1.Detail == "\"HELLO alice\"" && message2.Detail == "\"GET report\"",
            $"with framing the server should read the two messages apart; it read {message1.Detail} and {message2.Detail}");
        await context.SendAsync(Actor.Server, server2, Framed("OK"u8), "send answer 1 framed: \"OK\"").ConfigureAwait(false);
        await context.SendAsync(Actor.Server, server2, Framed("REPORT"u8), "send answer 2 framed: \"REPORT\"").ConfigureAwait(false);
        await ReceiveFramedAsync(context, Actor.Client, client2, "receive answer 1 (length, then that many bytes)").ConfigureAwait(false);
        var answer = await ReceiveFramedAsync(context, Actor.Client, client2, "receive answer 2 (length, then that many bytes)", AnswerTimeout).ConfigureAwait(false);
        context.Expect(answer.Detail == "\"REPORT\"", $"with framing the client should get answer 2 in time; it got {answer.Brief()} ({answer.Detail})");
        context.Close(Actor.Client, client2);
        var end = await context.ReceiveAsync(Actor.Server, server2, 64).ConfigureAwait(false);
        context.Expect(end is { Ok: true, Bytes: 0 }, $"the server should then see the end of the stream; it saw {end.Brief()}");
        context.Close(Actor.Server, server2);
    }

    /// <summary>A new connection; the context watches the first one made.</summary>
    private static async Task<(Socket? Client, Socket? Server)> ConnectAsync(ScenarioContext context, Socket listener)
    {
        var client = context.NewSocket(Actor.Client);
        var server = await context.ConnectAndAcceptAsync(listener, client).ConfigureAwait(false);
        return (client, server);
    }

    private static byte[] Framed(ReadOnlySpan<byte> message)
    {
        var frame = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
        message.CopyTo(frame.AsSpan(2));
        return frame;
    }

    /// <summary>Reads one length-prefixed message: exactly 2 bytes of length, then exactly that many bytes.</summary>
    private static Task<StepResult> ReceiveFramedAsync(ScenarioContext context, Actor actor, Socket socket, string what, TimeSpan? timeout = null) =>
        context.StepAsync(actor, what, async ct =>
        {
            var length = new byte[2];
            if (!await ReceiveExactlyAsync(socket, length, ct).ConfigureAwait(false))
            {
                return StepResult.Success(0, "end of stream before a whole message");
            }

            var payload = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
            if (!await ReceiveExactlyAsync(socket, payload, ct).ConfigureAwait(false))
            {
                return StepResult.Success(0, "end of stream in the middle of a message");
            }

            return StepResult.Success(2 + payload.Length, $"\"{Encoding.ASCII.GetString(payload)}\"");
        }, timeout);

    /// <summary>Fills <paramref name="buffer"/>; false at the end of the stream. Each receive takes at least one byte, so the loop is bounded by the length.</summary>
    private static async Task<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            filled += n;
        }

        return true;
    }
}
