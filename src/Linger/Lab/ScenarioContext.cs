using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Linger.Lab;

/// <summary>
/// What a scenario plays with: its site, its server endpoint, and the calls that record themselves as steps, each
/// followed by a sample of both sides' TCP state for the watched connection.
/// </summary>
public sealed class ScenarioContext : IAsyncDisposable
{
    /// <summary>How long a call may block when the scenario gives no timeout of its own.</summary>
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(3);

    private readonly List<ScenarioStep> _steps = [];
    private readonly List<string> _failures = [];
    private readonly List<IDisposable> _owned = [];
    private readonly Stopwatch _clock;
    private readonly Lock _gate = new();

    internal ScenarioContext(LabSite site, LabEnvironment environment, int serverPort, Stopwatch clock, CancellationToken cancellationToken)
    {
        Site = site;
        Environment = environment;
        ServerEndPoint = new IPEndPoint(site.ServerAddress, serverPort);
        _clock = clock;
        CancellationToken = cancellationToken;
    }

    /// <summary>Where the scenario runs.</summary>
    public LabSite Site { get; }

    /// <summary>The run's environment (privileges, agent command).</summary>
    public LabEnvironment Environment { get; }

    /// <summary>Where the server listens (a port reserved for this run; the capture keeps only its packets).</summary>
    public IPEndPoint ServerEndPoint { get; }

    /// <summary>The client end of the watched connection, once connected (see <see cref="Watch"/>).</summary>
    public IPEndPoint? ClientEndPoint { get; private set; }

    /// <summary>Cancelled when the scenario's time is up or the user interrupts.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// The steps so far, in the order their calls returned (concurrent calls, such as a connect and the accept it
    /// completes, may be recorded in the other order).
    /// </summary>
    public IReadOnlyList<ScenarioStep> Steps
    {
        get
        {
            lock (_gate)
            {
                return [.. _steps.OrderBy(step => step.TimeMs)];
            }
        }
    }

    /// <summary>The scenario's own checks that failed.</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Milliseconds since the scenario started.</summary>
    public double ElapsedMs => _clock.Elapsed.TotalMilliseconds;

    /// <summary>Makes <paramref name="client"/> the connection whose states are sampled and whose verdict is checked.</summary>
    public void Watch(IPEndPoint client) => ClientEndPoint = client;

    /// <summary>Records a failed check when <paramref name="condition"/> is false.</summary>
    public void Expect(bool condition, string what)
    {
        if (!condition)
        {
            _failures.Add(what);
        }
    }

    /// <summary>
    /// Stops the scenario and reports it as skipped because this machine refused something it needs (say what, and
    /// what would allow it). Use it only for refusals of the environment, never for a result the scenario studies.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Skip(string reason) => throw new ScenarioSkippedException(reason);

    /// <summary>A new socket for <paramref name="actor"/>, closed when the scenario ends if the scenario did not.</summary>
    public Socket NewSocket(Actor actor)
    {
        var socket = Site.CreateSocket(actor);
        Own(socket);
        return socket;
    }

    /// <summary>Closes <paramref name="resource"/> when the scenario ends (processes, extra sockets).</summary>
    public void Own(IDisposable resource)
    {
        lock (_gate)
        {
            _owned.Add(resource);
        }
    }

    /// <summary>A listening server socket on <see cref="ServerEndPoint"/>, recorded as a step.</summary>
    public Socket Listen(int backlog = 16)
    {
        var listener = NewSocket(Actor.Server);
        Step(Actor.Server, $"listen on {ServerEndPoint} (backlog {backlog})", () =>
        {
            listener.Bind(ServerEndPoint);
            listener.Listen(backlog);
            return StepResult.Success();
        });
        return listener;
    }

    /// <summary>Connects <paramref name="client"/> to the server; the first connection made becomes the watched one.</summary>
    public async Task<StepResult> ConnectAsync(Socket client, TimeSpan? timeout = null, IPEndPoint? to = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var target = to ?? ServerEndPoint;
        return await StepAsync(Actor.Client, $"connect to {target}", async ct =>
        {
            try
            {
                await client.ConnectAsync(target, ct).ConfigureAwait(false);
            }
            finally
            {
                if (ClientEndPoint is null && client.LocalEndPoint is IPEndPoint local && local.Port != 0)
                {
                    Watch(local);
                }
            }

            return StepResult.Success(detail: $"from {client.LocalEndPoint}");
        }, timeout).ConfigureAwait(false);
    }

    /// <summary>Accepts one connection on <paramref name="listener"/>.</summary>
    public async Task<(StepResult Result, Socket? Connection)> AcceptAsync(Socket listener, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(listener);
        Socket? accepted = null;
        var result = await StepAsync(Actor.Server, "accept", async ct =>
        {
            accepted = await listener.AcceptAsync(ct).ConfigureAwait(false);
            Own(accepted);
            return StepResult.Success(detail: $"from {accepted.RemoteEndPoint}");
        }, timeout).ConfigureAwait(false);
        return (result, accepted);
    }

    /// <summary>
    /// Connects <paramref name="client"/> to <paramref name="listener"/> and accepts the connection, both recorded as
    /// steps: the server's socket, or null (recorded as a failed check) when no connection was made.
    /// </summary>
    public async Task<Socket?> ConnectAndAcceptAsync(Socket listener, Socket client, TimeSpan? timeout = null)
    {
        var accepting = AcceptAsync(listener, timeout);
        await ConnectAsync(client, timeout).ConfigureAwait(false);
        var (_, server) = await accepting.ConfigureAwait(false);
        Expect(server is not null, "the server accepted no connection");
        return server;
    }

    /// <summary>Sends all of <paramref name="data"/>.</summary>
    public Task<StepResult> SendAsync(Actor actor, Socket socket, ReadOnlyMemory<byte> data, string? what = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var action = what ?? $"send {Plural(data.Length, "byte")}";
        long sent = 0;
        return StepAsync(actor, action, async ct =>
        {
            try
            {
                while (sent < data.Length)
                {
                    sent += await socket.SendAsync(data[(int)sent..], SocketFlags.None, ct).ConfigureAwait(false);
                }
            }
            catch (SocketException e)
            {
                return StepResult.From(e, sent);
            }

            return StepResult.Success(sent);
        }, timeout, () => sent);
    }

    /// <summary>One receive call of at most <paramref name="maxBytes"/>; 0 bytes is the end of the stream.</summary>
    public Task<StepResult> ReceiveAsync(Actor actor, Socket socket, int maxBytes = 65536, TimeSpan? timeout = null, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return StepAsync(actor, what ?? $"receive (up to {Plural(maxBytes, "byte")})", async ct =>
        {
            var buffer = new byte[maxBytes];
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
            return n == 0
                ? StepResult.Success(0, "end of stream (the peer sent FIN)")
                : StepResult.Success(n, Preview(buffer.AsSpan(0, n)));
        }, timeout);
    }

    /// <summary>Shuts down one or both directions.</summary>
    public StepResult Shutdown(Actor actor, Socket socket, SocketShutdown how)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var name = how switch
        {
            SocketShutdown.Send => "shutdown(SHUT_WR): no more sending",
            SocketShutdown.Receive => "shutdown(SHUT_RD)",
            _ => "shutdown(SHUT_RDWR)",
        };
        return Step(actor, name, () =>
        {
            socket.Shutdown(how);
            return StepResult.Success();
        });
    }

    /// <summary>Sets SO_LINGER: {1,0} makes the next close abortive (RST); {1,N} makes it wait up to N s for unsent data.</summary>
    public StepResult SetLinger(Actor actor, Socket socket, bool enabled, int seconds)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return Step(actor, $"set SO_LINGER {{{(enabled ? 1 : 0)},{seconds}}}", () =>
        {
            socket.LingerState = new LingerOption(enabled, seconds);
            return StepResult.Success();
        });
    }

    /// <summary>Closes the socket (close(2)).</summary>
    public StepResult Close(Actor actor, Socket socket, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return Step(actor, what ?? "close", () =>
        {
            socket.Close();
            return StepResult.Success();
        });
    }

    /// <summary>Waits without recording a step (the next step's time shows the pause).</summary>
    public Task DelayAsync(TimeSpan delay) => Task.Delay(delay, CancellationToken);

    /// <summary>Records a step whose result the scenario already knows (a network action, an observation).</summary>
    public StepResult Record(Actor actor, string action, StepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Add(actor, action, result);
        return result;
    }

    /// <summary>Runs a synchronous call and records it; a <see cref="SocketException"/> becomes the step's result.</summary>
    public StepResult Step(Actor actor, string action, Func<StepResult> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        StepResult result;
        try
        {
            result = call();
        }
        catch (SocketException e)
        {
            result = StepResult.From(e);
        }

        Add(actor, action, result);
        return result;
    }

    /// <summary>
    /// Runs an asynchronous call with a timeout and records it. A <see cref="SocketException"/> becomes the step's
    /// result; running out of time is recorded as an application timeout (the call is cancelled).
    /// </summary>
    public async Task<StepResult> StepAsync(Actor actor, string action, Func<CancellationToken, Task<StepResult>> call, TimeSpan? timeout = null, Func<long>? bytesSoFar = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        var limit = timeout ?? DefaultCallTimeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        cts.CancelAfter(limit);
        StepResult result;
        try
        {
            result = await call(cts.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            result = StepResult.From(e, bytesSoFar?.Invoke());
        }
        catch (OperationCanceledException) when (!CancellationToken.IsCancellationRequested)
        {
            result = StepResult.TimedOut(limit, bytesSoFar?.Invoke());
        }

        Add(actor, action, result);
        return result;
    }

    /// <summary>Both sides' current state for the watched connection.</summary>
    public (TcpSocketState Client, TcpSocketState Server) SampleStates()
    {
        var client = ClientEndPoint;
        if (client is null)
        {
            return (TcpSocketState.Closed, ListenerState(Site.ReadTcpTable(Actor.Server)));
        }

        TcpSocketState clientState = TcpSocketState.Closed;
        foreach (var entry in Site.ReadTcpTable(Actor.Client))
        {
            if (entry.Local.Equals(client) && entry.Remote.Equals(ServerEndPoint))
            {
                clientState = new(entry.State, entry.SendQueue, entry.ReceiveQueue);
                break;
            }
        }

        var serverTable = Site.ReadTcpTable(Actor.Server);
        foreach (var entry in serverTable)
        {
            if (entry.Local.Port == ServerEndPoint.Port && entry.Remote.Equals(client)
                && (entry.Local.Address.Equals(ServerEndPoint.Address) || entry.Local.Address.Equals(IPAddress.Any)))
            {
                return (clientState, new(entry.State, entry.SendQueue, entry.ReceiveQueue));
            }
        }

        return (clientState, ListenerState(serverTable));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        List<IDisposable> owned;
        lock (_gate)
        {
            owned = [.. _owned];
            _owned.Clear();
        }

        for (var i = owned.Count - 1; i >= 0; i--)
        {
            owned[i].Dispose();
        }

        return ValueTask.CompletedTask;
    }

    internal static string Plural(long n, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {unit}{(n == 1 ? string.Empty : "s")}");

    private TcpSocketState ListenerState(IReadOnlyList<TcpTableEntry> table)
    {
        foreach (var entry in table)
        {
            if (entry.State == "LISTEN" && entry.Local.Port == ServerEndPoint.Port)
            {
                return new(entry.State, entry.SendQueue, entry.ReceiveQueue);
            }
        }

        return TcpSocketState.Closed;
    }

    private void Add(Actor actor, string action, StepResult result)
    {
        var time = ElapsedMs;
        var (client, server) = SampleStates();
        lock (_gate)
        {
            _steps.Add(new ScenarioStep(Math.Round(time, 1), actor, action, result, client, server));
        }
    }

    private static string Preview(ReadOnlySpan<byte> data)
    {
        var shown = data[..Math.Min(data.Length, 40)];
        foreach (var b in shown)
        {
            if (b is < 0x20 and not (byte)'\r' and not (byte)'\n' || b > 0x7e)
            {
                return $"{Plural(data.Length, "byte")} of binary data";
            }
        }

        var text = Encoding.ASCII.GetString(shown).ReplaceLineEndings(" ").Trim();
        return data.Length > shown.Length ? $"\"{text}…\"" : $"\"{text}\"";
    }
}
