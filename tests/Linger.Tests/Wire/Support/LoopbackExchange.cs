using System.Net;
using System.Net.Sockets;

namespace Linger.Tests.Wire.Support;

/// <summary>
/// Real TCP conversations on loopback, each ending a different way: graceful closes with data both ways (IPv4 and
/// IPv6), a refused connect, and an abortive close (SO_LINGER {1,0}). Records every conversation's endpoints so a
/// test can compare them with what a capture shows.
/// </summary>
internal sealed class LoopbackExchange : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly Socket _listener;
    private readonly Socket _refuser;

    public LoopbackExchange()
    {
        // Dual-stack, so one port serves 127.0.0.1 and ::1.
        _listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        _listener.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        _listener.Listen(16);

        // Bound but never listening: a connect to it is refused, and nothing else can take the port meanwhile.
        _refuser = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _refuser.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public int ServerPort => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public int RefusedPort => ((IPEndPoint)_refuser.LocalEndPoint!).Port;

    /// <summary>The capture filter that sees all of this exchange and nothing else.</summary>
    public string Filter => $"tcp port {ServerPort} or tcp port {RefusedPort}";

    /// <summary>Every conversation made, as (client, server) endpoints.</summary>
    public List<(IPEndPoint Client, IPEndPoint Server)> Conversations { get; } = [];

    public async Task RunAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var ct = cts.Token;
        var server = ServeAsync(connections: 4, ct);

        await GracefulAsync(IPAddress.Loopback, 10_000, ct);
        await GracefulAsync(IPAddress.Loopback, 100_000, ct);
        await GracefulAsync(IPAddress.IPv6Loopback, 5_000, ct);
        await AbortiveAsync(ct);
        await RefusedAsync(ct);
        await server;
    }

    public void Dispose()
    {
        _listener.Dispose();
        _refuser.Dispose();
    }

    private async Task ServeAsync(int connections, CancellationToken ct)
    {
        var handlers = new List<Task>();
        for (var i = 0; i < connections; i++)
        {
            var accepted = await _listener.AcceptAsync(ct);
            handlers.Add(EchoLengthAsync(accepted, ct));
        }

        await Task.WhenAll(handlers);
    }

    /// <summary>Reads until the client's FIN (or RST), answers with the number of bytes read, closes.</summary>
    private static async Task EchoLengthAsync(Socket socket, CancellationToken ct)
    {
        using (socket)
        {
            var buffer = new byte[16 * 1024];
            long total = 0;
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
                {
                    total += n;
                }

                await socket.SendAsync(BitConverter.GetBytes(total), SocketFlags.None, ct);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // The abortive client: its RST ends the read.
            }
        }
    }

    private async Task GracefulAsync(IPAddress address, int bytes, CancellationToken ct)
    {
        using var client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        var server = new IPEndPoint(address, ServerPort);
        await client.ConnectAsync(server, ct);
        Conversations.Add(((IPEndPoint)client.LocalEndPoint!, server));
        await client.SendAsync(new byte[bytes], SocketFlags.None, ct);
        client.Shutdown(SocketShutdown.Send);
        var answer = new byte[8];
        var read = 0;
        int n;
        while ((n = await client.ReceiveAsync(answer.AsMemory(read), SocketFlags.None, ct)) > 0)
        {
            read += n;
        }

        Assert.Equal(bytes, BitConverter.ToInt64(answer));
    }

    private async Task AbortiveAsync(CancellationToken ct)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var server = new IPEndPoint(IPAddress.Loopback, ServerPort);
        await client.ConnectAsync(server, ct);
        Conversations.Add(((IPEndPoint)client.LocalEndPoint!, server));
        await client.SendAsync(new byte[500], SocketFlags.None, ct);
        client.LingerState = new LingerOption(true, 0);
        client.Close();
    }

    private async Task RefusedAsync(CancellationToken ct)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, RefusedPort);
        Conversations.Add(((IPEndPoint)client.LocalEndPoint!, server));
        var ex = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(server, ct).AsTask());
        Assert.Equal(SocketError.ConnectionRefused, ex.SocketErrorCode);
    }
}
