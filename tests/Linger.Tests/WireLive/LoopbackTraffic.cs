using System.Net;
using System.Net.Sockets;

namespace Linger.Tests.WireLive;

/// <summary>
/// A loopback server that reads each connection to its end and closes, and a client that opens graceful
/// connections to it: every connection is SYN, SYN-ACK, ACK, a little data, and one FIN from each side.
/// </summary>
internal sealed class LoopbackTraffic : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;

    public LoopbackTraffic(IPAddress address)
    {
        listener = new TcpListener(address, 0);
        listener.Start();
        Address = address;
        accepting = AcceptAsync();
    }

    public IPAddress Address { get; }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Opens <paramref name="count"/> connections one after another, each sending a line and closing gracefully.</summary>
    public async Task ConverseAsync(int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            using var client = new Socket(Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(new IPEndPoint(Address, Port), cancellationToken);
            await client.SendAsync("hello\n"u8.ToArray(), cancellationToken);
            client.Shutdown(SocketShutdown.Send);
            var buffer = new byte[64];
            while (await client.ReceiveAsync(buffer, cancellationToken) > 0)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            using var connection = await listener.AcceptSocketAsync(stop.Token);
            var buffer = new byte[64];
            while (await connection.ReceiveAsync(buffer, stop.Token) > 0)
            {
            }

            connection.Shutdown(SocketShutdown.Send);
        }
    }
}
