using System.Net;
using System.Net.Sockets;

namespace Linger.Tests.Support;

/// <summary>
/// Four ways a loopback TCP conversation ends, played for real on this kernel: a graceful close, a refused connect,
/// an abortive close (SO_LINGER {1,0}) by the client, and a client writing after the server closed (the 10053
/// story). Records each scenario's client endpoint so a capture's conversations can be matched to what happened.
/// </summary>
public sealed class FailureScenarios : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Socket _refuser = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public FailureScenarios()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(8);

        // Bound but never listening: connects to it are refused, and nothing else can take the port meanwhile.
        _refuser.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public int ServerPort => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public int RefusedPort => ((IPEndPoint)_refuser.LocalEndPoint!).Port;

    /// <summary>The filter that keeps exactly these scenarios' packets.</summary>
    public string Filter => $"port {ServerPort} or port {RefusedPort}";

    public IPEndPoint? Graceful { get; private set; }

    public IPEndPoint? Refused { get; private set; }

    public IPEndPoint? AbortiveClose { get; private set; }

    public IPEndPoint? WriteAfterClose { get; private set; }

    /// <summary>What the client's second write after the server's close raised (EPIPE on Linux).</summary>
    public SocketException? WriteAfterCloseError { get; private set; }

    public async Task RunAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var ct = cts.Token;

        // Graceful: request, response, both sides close.
        using (var client = NewClient())
        {
            var accept = _listener.AcceptAsync(ct).AsTask();
            await client.ConnectAsync(_listener.LocalEndPoint!, ct);
            Graceful = (IPEndPoint)client.LocalEndPoint!;
            using var server = await accept;
            await client.SendAsync("hello"u8.ToArray(), SocketFlags.None, ct);
            await ReceiveSomeAsync(server, ct);
            await server.SendAsync("bye"u8.ToArray(), SocketFlags.None, ct);
            await ReceiveSomeAsync(client, ct);
            client.Shutdown(SocketShutdown.Send);
            await ReceiveUntilEndAsync(server, ct);
            server.Shutdown(SocketShutdown.Send);
            await ReceiveUntilEndAsync(client, ct);
        }

        // Refused: nothing listens.
        using (var client = NewClient())
        {
            // Bound first: after a failed connect the socket would not report the port it used.
            client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Refused = (IPEndPoint)client.LocalEndPoint!;
            await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(_refuser.LocalEndPoint!, ct).AsTask());
        }

        // Abortive close by the client: RST, no FIN.
        using (var client = NewClient())
        {
            var accept = _listener.AcceptAsync(ct).AsTask();
            await client.ConnectAsync(_listener.LocalEndPoint!, ct);
            AbortiveClose = (IPEndPoint)client.LocalEndPoint!;
            using var server = await accept;
            await client.SendAsync("data"u8.ToArray(), SocketFlags.None, ct);
            await ReceiveSomeAsync(server, ct);
            client.LingerState = new LingerOption(true, 0);
            client.Close();
            await Task.Delay(50, ct);
        }

        // The server closes; the client writes anyway: the first write draws an RST, a later one fails.
        using (var client = NewClient())
        {
            var accept = _listener.AcceptAsync(ct).AsTask();
            await client.ConnectAsync(_listener.LocalEndPoint!, ct);
            WriteAfterClose = (IPEndPoint)client.LocalEndPoint!;
            var server = await accept;
            server.Close();
            await Task.Delay(50, ct);
            for (var i = 0; i < 100 && WriteAfterCloseError is null; i++)
            {
                try
                {
                    await client.SendAsync(new byte[] { 1 }, SocketFlags.None, ct);
                    await Task.Delay(20, ct);
                }
                catch (SocketException ex)
                {
                    WriteAfterCloseError = ex;
                }
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _refuser.Dispose();
    }

    private static Socket NewClient() => new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    private static async Task ReceiveSomeAsync(Socket s, CancellationToken ct) => await s.ReceiveAsync(new byte[256], SocketFlags.None, ct);

    private static async Task ReceiveUntilEndAsync(Socket s, CancellationToken ct)
    {
        var buffer = new byte[256];
        for (var i = 0; i < 1000 && await s.ReceiveAsync(buffer, SocketFlags.None, ct) > 0; i++)
        {
        }
    }
}
