using System.Net.Sockets;
using System.Text;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>
/// The HTTP case: the server answers 400 and closes while the client is still sending its body, so the close meets
/// unread data and resets; then the remedy, a server that drains the request before closing.
/// </summary>
internal sealed class EarlyResponseThenClose : Scenario
{
    // Far more than the server's receive window and the client's (small) send buffer hold together: the body is
    // still on its way when the server closes.
    private const int BodyBytes = 1024 * 1024;
    private const int ClientSendBuffer = 64 * 1024;

    private static readonly byte[] Headers = Encoding.ASCII.GetBytes(
        $"POST /upload HTTP/1.1\r\nHost: lab\r\nContent-Length: {BodyBytes}\r\n\r\n");

    private static readonly byte[] Answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();

    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(3);

    public override string Id => "early-response-then-close";

    public override string Title => "HTTP: the server answers 400 and closes while the client still sends its body";

    public override string Description =>
        "The client sends the headers of a large upload and starts on the body. The server rejects it after the "
        + "headers: it sends \"HTTP/1.1 400 Bad Request\" and closes. Body bytes it never read are in its receive "
        + "queue, so its kernel resets the connection instead of closing it (RFC 1122 4.2.2.13), and the client's "
        + "send fails with ECONNRESET. Did the client get the answer? On Linux the 400 arrived before the RST and "
        + "stays in the receive queue: a client that reads after its failed send still finds it, but one that gives "
        + "up when the send fails, as upload clients usually do, never sees it. The remedy, on a second connection: the server answers, shuts down its "
        + "sending side (FIN) and drains the request until the client closes (within a time limit); the client then "
        + "reads the 400 and the connection ends with two FINs.";

    public override Expectation Expected => new(Verdict.Reset, Side.Server);

    public override IReadOnlyList<string> DifferenceIds => ["abortive-reset"];

    public override string ExplainCode => "ECONNRESET";

    public override TimeSpan Timeout => TimeSpan.FromSeconds(15);

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var body = new byte[BodyBytes];
        body.AsSpan().Fill((byte)'b');
        var listener = context.Listen();

        // The watched connection: the server answers and closes at once.
        var (client, server) = await ConnectAsync(context, listener).ConfigureAwait(false);
        if (client is null || server is null)
        {
            return;
        }

        var uploading = await StartUploadAsync(context, client, server, body).ConfigureAwait(false);
        await context.SendAsync(Actor.Server, server, Answer, "send \"HTTP/1.1 400 Bad Request\"").ConfigureAwait(false);
        context.Close(Actor.Server, server, "close (body bytes unread)");
        var upload = await uploading.ConfigureAwait(false);
        context.Expect(!upload.Ok && upload.SocketError == SocketError.ConnectionReset,
            $"the client's body send should fail with ECONNRESET; it returned {upload.Brief()}");
        var read = await context.ReceiveAsync(Actor.Client, client, 4096, what: "receive the answer").ConfigureAwait(false);
        context.Expect(Saw400(read), $"on Linux the 400 stays readable after the reset; the read returned {read.Brief()} ({read.Detail})");
        context.Record(Actor.Client, "did the client get the answer?", Saw400(read)
            ? StepResult.Success(detail: "yes: the 400 was still in its receive queue")
            : StepResult.Failed($"no: the read returned {read.Brief()}"));
        context.Close(Actor.Client, client);

        // The remedy, on a second connection: answer, FIN, and drain the request before closing.
        var (client2, server2) = await ConnectAsync(context, listener).ConfigureAwait(false);
        if (client2 is null || server2 is null)
        {
            return;
        }

        var uploading2 = await StartUploadAsync(context, client2, server2, body).ConfigureAwait(false);
        await context.SendAsync(Actor.Server, server2, Answer, "send \"HTTP/1.1 400 Bad Request\"").ConfigureAwait(false);
        context.Shutdown(Actor.Server, server2, SocketShutdown.Send);
        var draining = DrainAsync(context, server2);
        var upload2 = await uploading2.ConfigureAwait(false);
        context.Expect(upload2.Ok, $"with a draining server the whole body should be sent; the send returned {upload2.Brief()}");
        var read2 = await context.ReceiveAsync(Actor.Client, client2, 4096, what: "receive the answer").ConfigureAwait(false);
        context.Expect(Saw400(read2), $"with a draining server the client should read the 400; it read {read2.Brief()} ({read2.Detail})");
        var end = await context.ReceiveAsync(Actor.Client, client2, 4096).ConfigureAwait(false);
        context.Expect(end is { Ok: true, Bytes: 0 }, $"after the answer the client should see the server's FIN; it saw {end.Brief()}");
        context.Close(Actor.Client, client2);
        var drained = await draining.ConfigureAwait(false);
        context.Expect(drained.Ok, $"the server should drain the body until the client's FIN; it got {drained.Brief()} ({drained.Detail})");
        context.Close(Actor.Server, server2);
    }

    /// <summary>A new connection; the context watches the first one made.</summary>
    private static async Task<(Socket? Client, Socket? Server)> ConnectAsync(ScenarioContext context, Socket listener)
    {
        var client = context.NewSocket(Actor.Client);
        context.Step(Actor.Client, $"set SO_SNDBUF {ClientSendBuffer} (a body far larger than the buffers)", () =>
        {
            client.SendBufferSize = ClientSendBuffer;
            return StepResult.Success();
        });
        var server = await context.ConnectAndAcceptAsync(listener, client).ConfigureAwait(false);
        return server is null ? (null, null) : (client, server);
    }

    /// <summary>Sends the headers, lets the server read them, and starts the body (still running when this returns).</summary>
    private static async Task<Task<StepResult>> StartUploadAsync(ScenarioContext context, Socket client, Socket server, byte[] body)
    {
        await context.SendAsync(Actor.Client, client, Headers, $"send the headers (POST /upload, Content-Length: {BodyBytes})").ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Server, server, Headers.Length, what: "receive the headers").ConfigureAwait(false);
        var uploading = context.SendAsync(Actor.Client, client, body, $"send the body ({ScenarioContext.Plural(BodyBytes, "byte")})", TimeSpan.FromSeconds(5));

        // Long enough for the body to fill the server's receive window: the close will find it unread.
        await context.DelayAsync(TimeSpan.FromMilliseconds(30)).ConfigureAwait(false);
        return uploading;
    }

    /// <summary>Reads and discards until the client's FIN, bounded in time (a client that never stops is cut off).</summary>
    private static Task<StepResult> DrainAsync(ScenarioContext context, Socket server) =>
        context.StepAsync(Actor.Server, "drain: read and discard until the client's FIN", async ct =>
        {
            var buffer = new byte[64 * 1024];
            long total = 0;

            // Bounded by DrainLimit: the step's token is cancelled when it runs out.
            while (true)
            {
                var n = await server.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    return StepResult.Success(total, $"{ScenarioContext.Plural(total, "byte")} discarded, then end of stream");
                }

                total += n;
            }
        }, DrainLimit);

    private static bool Saw400(StepResult read) =>
        read is { Ok: true, Bytes: > 0 } && read.Detail is { } text && text.Contains("400 Bad Request", StringComparison.Ordinal);
}
