using System.Net.Sockets;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>A connect to a port nobody listens on: the kernel answers the SYN with a RST.</summary>
internal sealed class Refused : Scenario
{
    public override string Id => "refused";

    public override string Title => "Connect to a port nobody listens on";

    public override string Description =>
        "The client connects to a port with no listener. The server's kernel answers the SYN with RST+ACK at once, and "
        + "connect fails with ECONNREFUSED (.NET: ConnectionRefused, 10061). Linux reports it immediately; Windows "
        + "retries the SYN and reports 10061 only after about two seconds.";

    public override Expectation Expected => new(Verdict.Refused);

    public override IReadOnlyList<string> DifferenceIds => ["refused-connect"];

    public override string ExplainCode => "ECONNREFUSED";

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var client = context.NewSocket(Actor.Client);
        var connect = await context.ConnectAsync(client).ConfigureAwait(false);
        context.Expect(connect.SocketError == SocketError.ConnectionRefused, $"connect should be refused; it returned {connect.Brief()}");
    }
}
