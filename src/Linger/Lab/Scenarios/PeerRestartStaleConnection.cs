using System.Globalization;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab.Agents;

namespace Linger.Lab.Scenarios;

/// <summary>
/// The server process crashes and a new one listens on the same port; the client keeps writing into its old
/// connection, which nothing serves any more, until a call fails. Reconnecting reaches the new server.
/// </summary>
internal sealed class PeerRestartStaleConnection : Scenario
{
    private const int MaxWrites = 20;
    private static readonly TimeSpan WritePause = TimeSpan.FromMilliseconds(20);

    public override string Id => "peer-restart-stale-connection";

    public override string Title => "The server restarts on the same port; the client writes into its old connection";

    public override string Description =>
        "The client and a server process exchange a request and an answer. The server process is killed and a new "
        + "one listens on the same port, as a supervisor would restart it. The client does not know: its connection "
        + "belonged to the old process. The crash closed the old socket with a FIN (nothing was unread), which the client "
        + "has not read. Its next write succeeds (the bytes only reach its own kernel); the server's kernel answers "
        + "them with a RST, because no process owns that connection any more. The client's next read returns the end "
        + "of the stream (the FIN, still queued), not an error, and only its next write fails: EPIPE on Linux (.NET: "
        + "Shutdown, 10058). The steps record each result and how long the client went on before noticing. A new connection reaches the restarted server at once: detect the "
        + "stale connection, reconnect, and resend what was not acknowledged by the application.";

    public override Expectation Expected => new(Verdict.Reset, Side.Server);

    public override IReadOnlyList<string> DifferenceIds => ["write-after-peer-close", "sigpipe"];

    public override string ExplainCode => "EPIPE";

    public override TimeSpan Timeout => TimeSpan.FromSeconds(40);

    public override string? SkipReason(LabEnvironment environment) => base.SkipReason(environment) ?? LabAgent.SkipReason(environment);

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var old = await LabAgent.StartAsync(context).ConfigureAwait(false);
        if (!(await old.ListenAsync(context.ServerEndPoint).ConfigureAwait(false)).Ok)
        {
            context.Expect(false, "the first server process could not listen");
            return;
        }

        var client = context.NewSocket(Actor.Client);
        var accepting = old.AcceptAsync();
        await context.ConnectAsync(client).ConfigureAwait(false);
        var (_, connection) = await accepting.ConfigureAwait(false);
        if (connection is null)
        {
            context.Expect(false, "the first server process accepted no connection");
            return;
        }

        await context.SendAsync(Actor.Client, client, "request 1\n"u8.ToArray(), "send \"request 1\\n\" (10 bytes)").ConfigureAwait(false);
        await old.ReadAsync(connection.Value, 64).ConfigureAwait(false);
        await old.WriteAsync(connection.Value, 4, "send the answer (4 bytes)").ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Client, client, 64, what: "receive the answer").ConfigureAwait(false);

        await old.KillAsync().ConfigureAwait(false);
        var crashedAt = context.ElapsedMs;
        var fresh = await LabAgent.StartAsync(context).ConfigureAwait(false);
        var relisten = await fresh.ListenAsync(context.ServerEndPoint).ConfigureAwait(false);
        context.Expect(relisten.Ok, $"the restarted server should listen on the same port again; it returned {relisten.Brief()} ({relisten.Detail})");
        var restartMs = context.ElapsedMs - crashedAt;

        var first = await context.SendAsync(Actor.Client, client, "request 2\n"u8.ToArray(), "send \"request 2\\n\" into the old connection").ConfigureAwait(false);
        context.Expect(first.Ok, $"the first write into the stale connection should succeed locally; it returned {first.Brief()}");
        await context.DelayAsync(WritePause).ConfigureAwait(false);
        var read = await context.ReceiveAsync(Actor.Client, client, 64, TimeSpan.FromSeconds(1), "receive (the answer to request 2?)").ConfigureAwait(false);
        context.Expect(read is { Ok: true, Bytes: 0 }, $"the next read should return the end of the stream (the crash's FIN); it returned {read.Brief()}");
        var calls = 2;
        var failed = read.Ok ? null : read;

        // Keep writing, as a client that does not read its answers would, until a call fails (bounded in count).
        for (var i = 3; failed is null && i <= MaxWrites; i++)
        {
            await context.DelayAsync(WritePause).ConfigureAwait(false);
            var write = await context.SendAsync(Actor.Client, client, "request\n"u8.ToArray(), $"send \"request\\n\" again (call {i} after the crash)").ConfigureAwait(false);
            calls = i;
            failed = write.Ok ? null : write;
        }

        var noticedAt = context.ElapsedMs;
        context.Expect(failed?.SocketError == SocketError.Shutdown, $"a later write should fail with EPIPE; the client got {failed?.Brief() ?? "no error"} within {MaxWrites} calls");
        context.Record(Actor.Client, "when the client noticed", failed is null
            ? StepResult.Failed($"not within {MaxWrites} calls")
            : StepResult.Success(detail: string.Create(CultureInfo.InvariantCulture,
                $"call {calls} after the crash failed with {failed.Brief()}: {noticedAt - crashedAt:0} ms after the crash (the restart took {restartMs:0} ms)")));
        context.Close(Actor.Client, client, "close the stale connection");

        // The remedy: reconnect; the restarted server answers.
        var again = context.NewSocket(Actor.Client);
        var accepting2 = fresh.AcceptAsync();
        var reconnect = await context.ConnectAsync(again).ConfigureAwait(false);
        context.Expect(reconnect.Ok, $"reconnecting should reach the restarted server; connect returned {reconnect.Brief()}");
        var (_, connection2) = await accepting2.ConfigureAwait(false);
        if (connection2 is null)
        {
            context.Expect(false, "the restarted server accepted no connection");
            return;
        }

        await context.SendAsync(Actor.Client, again, "request 2\n"u8.ToArray(), "resend \"request 2\\n\" on the new connection").ConfigureAwait(false);
        var served = await fresh.ReadAsync(connection2.Value, 64).ConfigureAwait(false);
        context.Expect(served is { Ok: true, Bytes: 10 }, $"the restarted server should receive the resent request; it got {served.Brief()}");
        context.Close(Actor.Client, again);
    }
}
