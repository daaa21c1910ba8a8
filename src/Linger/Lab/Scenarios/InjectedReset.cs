using System.Globalization;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab.Namespaces;

namespace Linger.Lab.Scenarios;

/// <summary>A third party on the path forges a RST in the server's name; its TTL gives it away.</summary>
internal sealed class InjectedReset : NamespaceScenario
{
    // A hop count neither the server (63 after one router) nor the router itself (64) would produce.
    private const byte ForgedTtl = 100;

    public override string Id => "injected-reset";

    public override string Title => "A third party injects a reset";

    public override string Description =>
        "Something on the router watches the conversation (an AF_PACKET capture), learns the sequence number the "
        + "client expects next from the server's last segment, and sends the client a RST with the server's address "
        + "and port from a raw socket, as censors and \"connection killers\" do. The sequence number is exact, so "
        + "the client's kernel accepts it: the read fails with ECONNRESET (.NET: ConnectionReset, 10054), exactly as "
        + "if the server had reset. The server knows nothing and stays ESTABLISHED. The forgery shows in its IP "
        + "header: TTL 100, where the server's packets arrive with 63; the analyser should flag it.";

    public override Expectation Expected => new(Verdict.Reset, Side.Server) { SuspectedInjection = true };

    public override string ExplainCode => "ECONNRESET";

    protected override async Task RunAsync(ScenarioContext context, NamespaceSite site)
    {
        var listener = context.Listen();
        if (await ConnectPairAsync(context, listener).ConfigureAwait(false) is not var (client, server))
        {
            return;
        }

        var injector = ResetInjector.Open(site, context.ServerEndPoint.Port, context.CancellationToken);
        context.Own(injector);
        context.Record(Actor.Network, "router: a third party starts watching the server's packets (AF_PACKET, tcp src port "
            + context.ServerEndPoint.Port.ToString(CultureInfo.InvariantCulture) + ")", StepResult.Success());

        await context.SendAsync(Actor.Client, client, "GET 1\n"u8.ToArray()).ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Server, server, 64).ConfigureAwait(false);
        await context.SendAsync(Actor.Server, server, "OK 1\n"u8.ToArray()).ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Client, client, 64).ConfigureAwait(false);

        if (injector.LastDataFromServer(TimeSpan.FromSeconds(1)) is not { } seen || context.ClientEndPoint is not { } clientEnd)
        {
            context.Record(Actor.Network, "router: the third party looks for the server's last segment", StepResult.Failed("it saw none"));
            context.Expect(false, "the third party should see the server's segment");
            return;
        }

        var sequence = 0u;
        context.Step(Actor.Network, $"router: the third party sends RST+ACK as {context.ServerEndPoint} to {clientEnd}, TTL {ForgedTtl}", () =>
        {
            sequence = injector.Inject(seen, context.ServerEndPoint, clientEnd, ForgedTtl);
            return StepResult.Success(40, string.Create(CultureInfo.InvariantCulture, $"seq {sequence}: the next byte the client expects from the server"));
        });

        var receive = await context.ReceiveAsync(Actor.Client, client, 64).ConfigureAwait(false);
        context.Expect(receive.SocketError == SocketError.ConnectionReset, $"the client's read should fail with ECONNRESET; it returned {receive.Brief()}");
        var quiet = await context.ReceiveAsync(Actor.Server, server, 64, TimeSpan.FromMilliseconds(300), "receive (the server hears nothing of it)").ConfigureAwait(false);
        context.Expect(!quiet.Ok && quiet.SocketError is null, $"the server should hear nothing; its read returned {quiet.Brief()}");
        context.Expect(context.Steps[^1].ServerState.State == "ESTABLISHED", $"the server should still be ESTABLISHED; it is {context.Steps[^1].ServerState.State}");
    }
}
