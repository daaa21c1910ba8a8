using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Linger.Lab.Namespaces;

/// <summary>
/// The namespace topology as a lab site: the client's sockets are made in the client's namespace, the server's in the
/// server's, each side's TCP table is that namespace's, and packets are captured in the client's namespace (what the
/// client's side of the path sees: the server's packets after the router, TTL one lower, and anything the router
/// itself sends). Network actions run in the router (or wherever the scenario says) and are recorded as steps.
/// </summary>
internal sealed class NamespaceSite : LabSite
{
    private readonly NamespaceTopology _topology;
    private readonly Dictionary<NetworkNode, NamespaceThread> _threads;
    private readonly HashSet<string> _chains = [];

    private NamespaceSite(NamespaceTopology topology, Dictionary<NetworkNode, NamespaceThread> threads)
    {
        _topology = topology;
        _threads = threads;
    }

    /// <inheritdoc />
    public override IPAddress ClientAddress => NamespaceTopology.ClientAddress;

    /// <inheritdoc />
    public override IPAddress ServerAddress => NamespaceTopology.ServerAddress;

    /// <summary>What could not be removed when the site was disposed (empty when everything went).</summary>
    public IReadOnlyList<string> CleanupProblems { get; private set; } = [];

    /// <summary>The topology's names.</summary>
    public NamespaceTopology Topology => _topology;

    /// <summary>
    /// Removes a killed run's leftovers, then creates the three namespaces and a thread in each. Whatever was created is
    /// removed again when this fails or is cancelled.
    /// </summary>
    public static async Task<NamespaceSite> CreateAsync(CancellationToken cancellationToken)
    {
        await LeftoverNamespaces.RemoveAsync(cancellationToken).ConfigureAwait(false);
        var topology = new NamespaceTopology(NamespaceTopology.NewPrefix());
        await topology.CreateAsync(cancellationToken).ConfigureAwait(false);
        var threads = new Dictionary<NetworkNode, NamespaceThread>();
        try
        {
            foreach (var node in (NetworkNode[])[NetworkNode.Client, NetworkNode.Router, NetworkNode.Server])
            {
                threads[node] = new NamespaceThread(topology.NamespaceOf(node));
            }

            cancellationToken.ThrowIfCancellationRequested();
            return new NamespaceSite(topology, threads);
        }
        catch
        {
            foreach (var thread in threads.Values)
            {
                thread.Dispose();
            }

            await topology.RemoveAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The namespace a side's sockets live in; the network's actions happen in the router.</summary>
    public static NetworkNode NodeOf(Actor actor) => actor switch
    {
        Actor.Client => NetworkNode.Client,
        Actor.Server => NetworkNode.Server,
        _ => NetworkNode.Router,
    };

    /// <inheritdoc />
    public override Socket CreateSocket(Actor actor) =>
        Invoke(NodeOf(actor), () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));

    /// <inheritdoc />
    public override IReadOnlyList<TcpTableEntry> ReadTcpTable(Actor actor) => ProcNetTcp.Read(_threads[NodeOf(actor)].ProcNetDirectory);

    /// <inheritdoc />
    public override LabCaptureSession StartCapture(string filter, string pcapngPath, CancellationToken cancellationToken) =>
        // The capture socket is made in the client's namespace and keeps it. "any" rather than the interface's name:
        // the name lookup reads /sys/class/net, which shows the namespace /sys was mounted in, not the thread's.
        Invoke(NetworkNode.Client, () => LiveCaptureSession.Open("any", filter, pcapngPath, cancellationToken));

    /// <inheritdoc />
    public override ProcessStartInfo PrepareProcess(Actor actor, ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var inside = new ProcessStartInfo("ip")
        {
            UseShellExecute = start.UseShellExecute,
            RedirectStandardInput = start.RedirectStandardInput,
            RedirectStandardOutput = start.RedirectStandardOutput,
            RedirectStandardError = start.RedirectStandardError,
            WorkingDirectory = start.WorkingDirectory,
        };
        var name = _topology.NamespaceOf(NodeOf(actor));
        if (start.ArgumentList.Count == 0 && !string.IsNullOrEmpty(start.Arguments))
        {
            // The caller gave one argument string: keep it as a string (ArgumentList and Arguments cannot be mixed).
            inside.Arguments = $"netns exec {name} \"{start.FileName}\" {start.Arguments}";
        }
        else
        {
            foreach (var argument in (string[])["netns", "exec", name, start.FileName, .. start.ArgumentList])
            {
                inside.ArgumentList.Add(argument);
            }
        }

        foreach (var (key, value) in start.Environment)
        {
            inside.Environment[key] = value;
        }

        return inside;
    }

    /// <summary>Runs <paramref name="call"/> on the thread that lives in <paramref name="node"/>'s namespace.</summary>
    public T Invoke<T>(NetworkNode node, Func<T> call) => _threads[node].Invoke(call);

    /// <summary>
    /// Runs a network tool inside <paramref name="node"/>'s namespace (<c>ip netns exec</c>) and records it as a
    /// network step: <c>router: nft add rule …</c>, with what the tool answered.
    /// </summary>
    public async Task<StepResult> RunAsync(ScenarioContext context, NetworkNode node, params string[] command)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfZero(command.Length);
        var outcome = await NetworkCommand.RunAsync("ip", ["netns", "exec", _topology.NamespaceOf(node), .. command], context.CancellationToken).ConfigureAwait(false);
        var action = $"{Name(node)}: {NetworkCommand.CommandLine(command[0], command[1..])}";
        return context.Record(Actor.Network, action, outcome.ToStepResult());
    }

    /// <summary>
    /// Sets a kernel parameter of <paramref name="node"/>'s namespace (what <c>sysctl -w</c> does: a write to
    /// /proc/sys, here from the namespace's own thread) and records it as a network step.
    /// </summary>
    public StepResult SetSysctl(ScenarioContext context, NetworkNode node, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = "/proc/sys/" + key.Replace('.', '/');
        StepResult result;
        try
        {
            Invoke(node, () =>
            {
                File.WriteAllText(path, value);
                return true;
            });
            result = StepResult.Success(detail: $"{key} = {value}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result = StepResult.Failed($"cannot write {path}: {e.Message}");
        }

        return context.Record(Actor.Network, $"{Name(node)}: sysctl -w {key}={value}", result);
    }

    /// <summary>Reads a kernel parameter of <paramref name="node"/>'s namespace.</summary>
    public string ReadSysctl(NetworkNode node, string key) =>
        Invoke(node, () => File.ReadAllText("/proc/sys/" + key.Replace('.', '/')).Trim());

    /// <summary>True the first time a scenario asks for the router's nftables chain on <paramref name="hook"/>.</summary>
    public bool NeedsChain(string hook) => _chains.Add(hook);

    /// <summary>The lower-case name used in step labels: <c>router</c>.</summary>
    public static string Name(NetworkNode node) => node.ToString().ToLower(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        foreach (var thread in _threads.Values)
        {
            thread.Dispose();
        }

        // Disposal does not throw: what could not be removed now carries this process's id, and the next run that
        // finds this process gone removes it (LeftoverNamespaces).
        CleanupProblems = await _topology.RemoveAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }
}
