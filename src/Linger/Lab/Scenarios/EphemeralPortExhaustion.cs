using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab.Namespaces;

namespace Linger.Lab.Scenarios;

/// <summary>Short connections, a narrow port range and TIME_WAIT: connect fails with EADDRNOTAVAIL; what the remedies cost.</summary>
internal sealed class EphemeralPortExhaustion : NamespaceScenario
{
    private const int FirstPort = 40000;
    private const int Ports = 8;
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(2);

    public override string Id => "ephemeral-port-exhaustion";

    public override string Title => "Ephemeral ports exhausted by TIME_WAIT";

    public override string Description =>
        "The client's namespace may use only 8 local ports (ip_local_port_range 40000 40007). It makes short "
        + "connections to one server, each closed by the client first, so each leaves its port in TIME_WAIT for 60 s. "
        + "After 8, connect fails with EADDRNOTAVAIL (.NET: AddressNotAvailable, 10049): no port is free for that "
        + "server (other destinations could still reuse them). Two ways out, each with a price. tcp_tw_reuse=1 lets a "
        + "new connection take over a TIME_WAIT port once its last timestamp is older than tcp_tw_reuse_delay: safe "
        + "only because TCP timestamps (PAWS) reject the old connection's late segments. SO_LINGER {1,0} closes with "
        + "a RST and leaves no TIME_WAIT at all, so 12 connections fit in 8 ports: but the server's read reports "
        + "ECONNRESET instead of the end of the stream, and anything still unsent is thrown away.";

    public override Expectation Expected => new(Verdict.Closed);

    public override string ExplainCode => "EADDRNOTAVAIL";

    protected override async Task RunAsync(ScenarioContext context, NamespaceSite site)
    {
        var range = site.SetSysctl(context, NetworkNode.Client, "net.ipv4.ip_local_port_range", $"{FirstPort} {FirstPort + Ports - 1}");
        context.Expect(range.Ok, $"the client's port range should narrow; {range.Detail}");
        var listener = context.Listen(64);

        // The watched connection: the first of the short ones, step by step.
        var first = context.NewSocket(Actor.Client);
        var firstServer = await context.ConnectAndAcceptAsync(listener, first).ConfigureAwait(false);
        if (firstServer is null)
        {
            return;
        }

        await context.SendAsync(Actor.Client, first, "PING\n"u8.ToArray()).ConfigureAwait(false);
        context.Close(Actor.Client, first, "close (the client closes first: its port will wait in TIME_WAIT)");
        await context.ReceiveAsync(Actor.Server, firstServer, 64).ConfigureAwait(false);
        await context.ReceiveAsync(Actor.Server, firstServer, 64).ConfigureAwait(false);
        context.Close(Actor.Server, firstServer);

        for (var i = 2; i <= Ports; i++)
        {
            await ShortConnectionAsync(context, listener, i, abortive: false).ConfigureAwait(false);
        }

        await context.DelayAsync(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        var waiting = CountTimeWait(context, context.ServerEndPoint);
        context.Expect(waiting == Ports, $"every port should be in TIME_WAIT; {waiting} of {Ports} are");

        var exhausted = await context.ConnectAsync(context.NewSocket(Actor.Client), CallLimit).ConfigureAwait(false);
        context.Expect(exhausted.SocketError == SocketError.AddressNotAvailable, $"connect number {Ports + 1} should fail with EADDRNOTAVAIL; it returned {exhausted.Brief()}");

        // Remedy 1: reuse. The delay is lowered from 1 s to keep the scenario short; it is the same mechanism.
        site.SetSysctl(context, NetworkNode.Client, "net.ipv4.tcp_tw_reuse", "1");
        site.SetSysctl(context, NetworkNode.Client, "net.ipv4.tcp_tw_reuse_delay", "10");
        await context.DelayAsync(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        var reused = await ShortConnectionAsync(context, listener, Ports + 1, abortive: false).ConfigureAwait(false);
        context.Expect(reused.Ok, $"with tcp_tw_reuse a connect should take over a TIME_WAIT port; it returned {reused.Brief()}");
        site.SetSysctl(context, NetworkNode.Client, "net.ipv4.tcp_tw_reuse", "0");

        // Remedy 2: SO_LINGER {1,0}, against a second listener (the first one's ports are all waiting).
        var second = context.NewSocket(Actor.Server);
        context.Step(Actor.Server, "listen on a second port", () =>
        {
            second.Bind(new IPEndPoint(context.ServerEndPoint.Address, 0));
            second.Listen(64);
            return StepResult.Success(detail: $"{second.LocalEndPoint}");
        });
        var resets = 0;
        const int Abortive = Ports + 4;
        for (var i = 1; i <= Abortive; i++)
        {
            var result = await ShortConnectionAsync(context, second, i, abortive: true).ConfigureAwait(false);
            resets += result.Ok && result.Detail?.Contains("ECONNRESET", StringComparison.Ordinal) == true ? 1 : 0;
        }

        await context.DelayAsync(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        var left = CountTimeWait(context, (IPEndPoint)second.LocalEndPoint!);
        context.Expect(resets == Abortive, $"all {Abortive} abortive connections should succeed with {Ports} ports, each server read seeing ECONNRESET; {resets} did");
        context.Expect(left == 0, $"abortive closes should leave no TIME_WAIT; {left} remain");
    }

    // One short conversation as one step: connect, send, close (FIN or RST), and what the server's read saw.
    private static Task<StepResult> ShortConnectionAsync(ScenarioContext context, Socket listener, int number, bool abortive)
    {
        var client = context.NewSocket(Actor.Client);
        var what = abortive ? "close with SO_LINGER {1,0}" : "close";
        return context.StepAsync(Actor.Client, $"connection {number}: connect, send 5 bytes, {what}", async ct =>
        {
            var accepting = listener.AcceptAsync(ct).AsTask();
            await client.ConnectAsync(listener.LocalEndPoint!, ct).ConfigureAwait(false);
            using var server = await accepting.ConfigureAwait(false);
            var port = ((IPEndPoint)client.LocalEndPoint!).Port;
            await client.SendAsync("PING\n"u8.ToArray(), SocketFlags.None, ct).ConfigureAwait(false);
            if (abortive)
            {
                client.LingerState = new LingerOption(true, 0);
            }

            client.Close();
            string seen;
            try
            {
                var buffer = new byte[64];
                var n = await server.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
                n = n == 0 ? 0 : await server.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
                seen = n == 0 ? "end of stream" : $"{n} more bytes";
            }
            catch (SocketException e)
            {
                seen = ErrnoNames.Linux(e.NativeErrorCode);
            }

            return StepResult.Success(detail: string.Create(CultureInfo.InvariantCulture, $"port {port}; the server's read: {seen}"));
        }, CallLimit);
    }

    private static int CountTimeWait(ScenarioContext context, IPEndPoint server)
    {
        var count = 0;
        foreach (var entry in context.Site.ReadTcpTable(Actor.Client))
        {
            count += entry.State == "TIME_WAIT" && entry.Remote.Equals(server) ? 1 : 0;
        }

        context.Record(Actor.Client, $"count TIME_WAIT sockets towards {server} in the client's namespace",
            StepResult.Success(detail: string.Create(CultureInfo.InvariantCulture, $"{count} in TIME_WAIT")));
        return count;
    }
}
