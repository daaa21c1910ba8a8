using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab.Agents;

namespace Linger.Lab.Scenarios;

/// <summary>
/// The server process dies (SIGKILL) with two connections: its kernel closes both, with a RST where a request lay
/// unread and with a FIN where nothing did.
/// </summary>
internal sealed class ProcessCrash : Scenario
{
    public override string Id => "process-crash";

    public override string Title => "The server process is killed (SIGKILL), with and without unread data";

    public override string Description =>
        "A server in its own process has two clients. It has read everything the second client sent, but not the "
        + "first client's request. The process is killed with SIGKILL, as a crash would end it: it runs no code, yet "
        + "its kernel closes each of its sockets as if it had called close(). Where data lay unread it sends a RST "
        + "(RFC 1122 4.2.2.13) and the first client's read fails with ECONNRESET (.NET: ConnectionReset, 10054); where "
        + "nothing was unread it sends a FIN, and the second client reads a plain end of stream, as if the server had "
        + "closed on purpose. A crash is not always a reset.";

    public override Expectation Expected => new(Verdict.Reset, Side.Server);

    public override IReadOnlyList<string> DifferenceIds => ["abortive-reset"];

    public override string ExplainCode => "ECONNRESET";

    public override TimeSpan Timeout => TimeSpan.FromSeconds(30);

    public override string? SkipReason(LabEnvironment environment) => base.SkipReason(environment) ?? LabAgent.SkipReason(environment);

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var agent = await LabAgent.StartAsync(context).ConfigureAwait(false);
        var listen = await agent.ListenAsync(context.ServerEndPoint).ConfigureAwait(false);
        if (!listen.Ok)
        {
            context.Expect(false, $"the agent could not listen: {listen.Brief()} ({listen.Detail})");
            return;
        }

        // The watched connection (the first one made): its request stays unread.
        var unread = await ConnectAsync(context, agent).ConfigureAwait(false);
        var done = await ConnectAsync(context, agent).ConfigureAwait(false);
        if (unread.Connection is null || done.Connection is null)
        {
            return;
        }

        await context.SendAsync(Actor.Client, unread.Client, "UPLOAD part 1\n"u8.ToArray(), "client 1: send \"UPLOAD part 1\\n\" (14 bytes, never read)").ConfigureAwait(false);
        await context.SendAsync(Actor.Client, done.Client, "GET /status\n"u8.ToArray(), "client 2: send \"GET /status\\n\" (12 bytes)").ConfigureAwait(false);
        await agent.ReadAsync(done.Connection.Value, 64, what: "receive on connection 2 (everything client 2 sent)").ConfigureAwait(false);

        // Client 1's bytes must be in the server's receive queue when the process dies.
        await context.DelayAsync(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        var kill = await agent.KillAsync().ConfigureAwait(false);
        context.Expect(kill.Ok, $"the agent should be killed; {kill.Brief()} ({kill.Detail})");

        var reset = await context.ReceiveAsync(Actor.Client, unread.Client, 64, what: "client 1: receive (its request was unread)").ConfigureAwait(false);
        context.Expect(reset.SocketError == SocketError.ConnectionReset, $"client 1's read should fail with ECONNRESET; it returned {reset.Brief()}");
        var end = await context.ReceiveAsync(Actor.Client, done.Client, 64, what: "client 2: receive (its request was read)").ConfigureAwait(false);
        context.Expect(end is { Ok: true, Bytes: 0 }, $"client 2's read should return the end of the stream; it returned {end.Brief()}");
        context.Close(Actor.Client, unread.Client, "client 1: close");
        context.Close(Actor.Client, done.Client, "client 2: close");
    }

    private static async Task<(Socket Client, int? Connection)> ConnectAsync(ScenarioContext context, LabAgent agent)
    {
        var client = context.NewSocket(Actor.Client);
        var accepting = agent.AcceptAsync();
        await context.ConnectAsync(client).ConfigureAwait(false);
        var (accepted, connection) = await accepting.ConfigureAwait(false);
        context.Expect(accepted.Ok && connection is not null, $"the agent should accept the connection; it returned {accepted.Brief()} ({accepted.Detail})");
        return (client, connection);
    }
}
