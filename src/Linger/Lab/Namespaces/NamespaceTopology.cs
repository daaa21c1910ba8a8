using System.Globalization;
using System.Net;

namespace Linger.Lab.Namespaces;

/// <summary>
/// The lab's network: three namespaces, client &lt;-&gt; router &lt;-&gt; server, joined by two veth pairs on their own
/// /24s, the router forwarding. Namespace names carry the run's prefix (<c>lgr-PID-N-</c>) so a later run can tell
/// its own leftovers from a live run's. The veth ends are created directly inside the namespaces and never exist in
/// the host's, so they need no prefix and vanish with their namespaces.
/// </summary>
internal sealed class NamespaceTopology
{
    /// <summary>What every name the lab creates starts with.</summary>
    public const string Prefix = "lgr-";

    /// <summary>The client's interface (towards the router), in the client's namespace.</summary>
    public const string ClientLink = "to-router";

    /// <summary>The router's interface towards the client.</summary>
    public const string RouterClientLink = "to-client";

    /// <summary>The router's interface towards the server.</summary>
    public const string RouterServerLink = "to-server";

    /// <summary>The server's interface (towards the router), in the server's namespace.</summary>
    public const string ServerLink = "to-router";

    private static int _sequence;

    /// <summary>A topology whose namespaces are named <paramref name="prefix"/> + client, router, server.</summary>
    public NamespaceTopology(string prefix)
    {
        RunPrefix = prefix;
    }

    /// <summary>The client's address (link 10.231.1.0/24).</summary>
    public static IPAddress ClientAddress { get; } = IPAddress.Parse("10.231.1.2");

    /// <summary>The router's address on the client's link.</summary>
    public static IPAddress RouterClientAddress { get; } = IPAddress.Parse("10.231.1.1");

    /// <summary>The router's address on the server's link (10.231.2.0/24).</summary>
    public static IPAddress RouterServerAddress { get; } = IPAddress.Parse("10.231.2.1");

    /// <summary>The server's address.</summary>
    public static IPAddress ServerAddress { get; } = IPAddress.Parse("10.231.2.2");

    /// <summary>This topology's prefix: <c>lgr-PID-N-</c>.</summary>
    public string RunPrefix { get; }

    /// <summary>The three namespace names.</summary>
    public IReadOnlyList<string> Namespaces => [NamespaceOf(NetworkNode.Client), NamespaceOf(NetworkNode.Router), NamespaceOf(NetworkNode.Server)];

    /// <summary>A prefix no other topology of this process uses, owned by this process's id.</summary>
    public static string NewPrefix() => string.Create(
        CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{Interlocked.Increment(ref _sequence)}-");

    /// <summary>The process id in a lab name (<c>lgr-1234-1-client</c>: 1234), or null when the name is not the lab's.</summary>
    public static int? OwnerOf(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = name.AsSpan(Prefix.Length);
        var dash = rest.IndexOf('-');
        return dash > 0 && int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
    }

    /// <summary>The namespace of <paramref name="node"/>.</summary>
    public string NamespaceOf(NetworkNode node) => RunPrefix + node switch
    {
        NetworkNode.Client => "client",
        NetworkNode.Router => "router",
        _ => "server",
    };

    /// <summary>Creates the namespaces and links, removing whatever it made when a step fails or is cancelled.</summary>
    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        var client = NamespaceOf(NetworkNode.Client);
        var router = NamespaceOf(NetworkNode.Router);
        var server = NamespaceOf(NetworkNode.Server);
        try
        {
            // One `ip -batch` per namespace: four processes instead of twenty.
            await Batch(null, $"netns add {client}\nnetns add {router}\nnetns add {server}\n").ConfigureAwait(false);
            await Batch(client, $"""
                link set lo up
                link add {ClientLink} type veth peer name {RouterClientLink} netns {router}
                addr add {ClientAddress}/24 dev {ClientLink}
                link set {ClientLink} up
                route add default via {RouterClientAddress}

                """).ConfigureAwait(false);
            await Batch(router, $"""
                link set lo up
                link add {RouterServerLink} type veth peer name {ServerLink} netns {server}
                addr add {RouterClientAddress}/24 dev {RouterClientLink}
                addr add {RouterServerAddress}/24 dev {RouterServerLink}
                link set {RouterClientLink} up
                link set {RouterServerLink} up

                """).ConfigureAwait(false);
            await Batch(server, $"""
                link set lo up
                addr add {ServerAddress}/24 dev {ServerLink}
                link set {ServerLink} up
                route add default via {RouterServerAddress}

                """).ConfigureAwait(false);
            await NetworkCommand.RunCheckedAsync("ip", ["netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1"], cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await RemoveAsync().ConfigureAwait(false);
            throw;
        }

        Task Batch(string? inside, string commands) => NetworkCommand.RunCheckedAsync(
            "ip", inside is null ? ["-batch", "-"] : ["-n", inside, "-batch", "-"], cancellationToken, commands);
    }

    /// <summary>Deletes the namespaces (their links and rules go with them). Never cancelled: cleanup must finish.</summary>
    public async Task<IReadOnlyList<string>> RemoveAsync()
    {
        var problems = new List<string>();
        foreach (var name in Namespaces)
        {
            if (!File.Exists(Path.Combine("/run/netns", name)))
            {
                continue;
            }

            var outcome = await NetworkCommand.RunAsync("ip", ["netns", "delete", name], CancellationToken.None).ConfigureAwait(false);
            if (!outcome.Succeeded)
            {
                problems.Add($"`{outcome.CommandLine}` failed: {outcome.Message}");
            }
        }

        return problems;
    }
}
