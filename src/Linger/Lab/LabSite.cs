using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Linger.Lab;

/// <summary>
/// Where a scenario's two sides live: their addresses, how their sockets are made (in the right network namespace),
/// how each side's TCP table is read, and where packets are captured. Loopback is one site; the namespace topology
/// (client, router, server) is another.
/// </summary>
public abstract class LabSite : IAsyncDisposable
{
    /// <summary>The client's address (what the server sees as the peer).</summary>
    public abstract IPAddress ClientAddress { get; }

    /// <summary>The address the server listens on and the client connects to.</summary>
    public abstract IPAddress ServerAddress { get; }

    /// <summary>A new TCP socket in <paramref name="actor"/>'s network namespace.</summary>
    public abstract Socket CreateSocket(Actor actor);

    /// <summary>The TCP table as <paramref name="actor"/>'s network namespace sees it.</summary>
    public abstract IReadOnlyList<TcpTableEntry> ReadTcpTable(Actor actor);

    /// <summary>
    /// Starts capturing the scenario's packets (what the client's side of the path sees) into
    /// <paramref name="pcapngPath"/>, keeping only packets that match <paramref name="filter"/>.
    /// </summary>
    public abstract LabCaptureSession StartCapture(string filter, string pcapngPath, CancellationToken cancellationToken);

    /// <summary>
    /// Adjusts a helper process's start (for example to run it inside <paramref name="actor"/>'s namespace with
    /// <c>ip netns exec</c>). Loopback: unchanged.
    /// </summary>
    public virtual ProcessStartInfo PrepareProcess(Actor actor, ProcessStartInfo start) => start;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes what the site created (namespaces, links, rules).</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
}
