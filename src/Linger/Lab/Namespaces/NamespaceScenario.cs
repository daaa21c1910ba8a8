using System.Net.Sockets;

namespace Linger.Lab.Namespaces;

/// <summary>
/// A scenario played across the namespace topology (client &lt;-&gt; router &lt;-&gt; server), where the path itself can
/// misbehave: firewall rules, a forgetful middlebox, a third party, a narrow link, a pulled cable.
/// </summary>
internal abstract class NamespaceScenario : Scenario
{
    /// <summary>TCP_USER_TIMEOUT (linux/tcp.h): how long sent data may stay unacknowledged before the kernel gives up.</summary>
    private const int TcpUserTimeout = 18;

    /// <inheritdoc />
    public sealed override ScenarioPlace Place => ScenarioPlace.Namespaces;

    /// <inheritdoc />
    public override TimeSpan Timeout => TimeSpan.FromSeconds(15);

    /// <inheritdoc />
    public sealed override async ValueTask<LabSite> CreateSiteAsync(LabEnvironment environment, CancellationToken cancellationToken) =>
        await NamespaceSite.CreateAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public sealed override Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Site is NamespaceSite site
            ? RunAsync(context, site)
            : throw new InvalidOperationException($"scenario {Id} needs the namespace site; it was given {context.Site.GetType().Name}");
    }

    /// <summary>Plays the scenario on <paramref name="site"/>.</summary>
    protected abstract Task RunAsync(ScenarioContext context, NamespaceSite site);

    /// <summary>
    /// Adds an nftables rule to a chain of the router's <c>inet lgr</c> table (made on first use), recorded as network
    /// steps: <c>router: nft add rule inet lgr forward tcp dport 40000 reject with tcp reset</c>.
    /// </summary>
    protected static async Task<StepResult> AddRouterRuleAsync(ScenarioContext context, NamespaceSite site, string hook, string rule)
    {
        ArgumentNullException.ThrowIfNull(site);
        if (site.NeedsChain(hook))
        {
            var chain = await site.RunAsync(context, NetworkNode.Router, "nft", $"add table inet lgr; add chain inet lgr {hook} {{ type filter hook {hook} priority 0; }}").ConfigureAwait(false);
            if (!chain.Ok)
            {
                return chain;
            }
        }

        return await site.RunAsync(context, NetworkNode.Router, "nft", $"add rule inet lgr {hook} {rule}").ConfigureAwait(false);
    }

    /// <summary>
    /// Sets TCP_USER_TIMEOUT, recorded as a step: unacknowledged data (or an unanswered SYN) fails the connection with
    /// ETIMEDOUT after <paramref name="timeout"/> instead of the default ~15 minutes of retransmissions.
    /// </summary>
    protected static StepResult SetUserTimeout(ScenarioContext context, Actor actor, Socket socket, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(socket);
        var ms = (int)timeout.TotalMilliseconds;
        return context.Step(actor, $"set TCP_USER_TIMEOUT {ms} ms", () =>
        {
            socket.SetRawSocketOption((int)SocketOptionLevel.Tcp, TcpUserTimeout, BitConverter.GetBytes(ms));
            return StepResult.Success();
        });
    }

    /// <summary>Connects and accepts one connection; null (with a failed check) when either side failed.</summary>
    protected static async Task<(Socket Client, Socket Server)?> ConnectPairAsync(ScenarioContext context, Socket listener)
    {
        ArgumentNullException.ThrowIfNull(context);
        var client = context.NewSocket(Actor.Client);
        var accepting = context.AcceptAsync(listener);
        var connect = await context.ConnectAsync(client).ConfigureAwait(false);
        var (_, server) = await accepting.ConfigureAwait(false);
        if (!connect.Ok || server is null)
        {
            context.Expect(false, $"the connection through the router should be made; connect returned {connect.Brief()}");
            return null;
        }

        return (client, server);
    }
}
