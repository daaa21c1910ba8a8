using System.Net;
using System.Net.Sockets;

namespace Linger.Tests.Probe;

/// <summary>
/// A real TCP server on 127.0.0.1 (a free port the kernel picks) whose every accepted connection is handed to
/// <c>serve</c>. Started by <see cref="Start"/>; <see cref="DisposeAsync"/> stops accepting, closes every
/// connection and waits (at most 5 s) for the handlers, so a failing test never leaves it running.
/// </summary>
internal sealed class TcpTestServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = [];
    private readonly List<Task> _handlers = [];
    private readonly Lock _gate = new();
    private readonly Task _acceptLoop;

    private TcpTestServer(Socket listener, Func<Socket, int, CancellationToken, Task>? serve)
    {
        _listener = listener;
        _acceptLoop = serve is null ? Task.CompletedTask : AcceptAsync(serve);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public string Target => $"127.0.0.1:{Port}";

    /// <summary>Starts a server; <paramref name="serve"/> gets each connection and its number (0, 1, ...). Null: never accepts.</summary>
    public static TcpTestServer Start(Func<Socket, int, CancellationToken, Task>? serve, int backlog = 128)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(backlog);
        return new TcpTestServer(listener, serve);
    }

    /// <summary>
    /// A server that resets every connection once the probe says it waits for a banner (give the probe's session
    /// <paramref name="onLine"/>): only then has the probe's connect returned. A RST sent sooner can overtake the
    /// connect's completion on a busy machine and fail the connect itself with ECONNRESET, another observation.
    /// </summary>
    public static TcpTestServer StartResettingOnceWaitingForBanner(out Action<Linger.Probe.TranscriptLine> onLine)
    {
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        onLine = line =>
        {
            if (line.Text.StartsWith("waiting up to", StringComparison.Ordinal))
            {
                waiting.TrySetResult();
            }
        };
        return Start(async (s, _, ct) =>
        {
            await waiting.Task.WaitAsync(ct);
            Reset(s);
        });
    }

    /// <summary>A port bound but not listening: a connect to it is refused. Dispose releases it.</summary>
    public static Socket ReserveClosedPort(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }

    /// <summary>Closes with SO_LINGER {1, 0}: the kernel sends RST instead of FIN.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    /// <summary>Waits until the test ends (the server is disposed), then returns.</summary>
    public static async Task StayOpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_gate)
        {
            foreach (var s in _accepted)
            {
                s.Dispose();
            }
        }

        Task[] handlers;
        lock (_gate)
        {
            handlers = [.. _handlers, _acceptLoop];
        }

        await Task.WhenAll(handlers).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync(Func<Socket, int, CancellationToken, Task> serve)
    {
        for (var n = 0; n < 10_000 && !_stop.IsCancellationRequested; n++)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var number = n;
            lock (_gate)
            {
                _accepted.Add(client);
                _handlers.Add(Task.Run(async () =>
                {
                    try
                    {
                        await serve(client, number, _stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
                    {
                        // The test is over or the client went away: nothing to serve.
                    }
                }));
            }
        }
    }
}
