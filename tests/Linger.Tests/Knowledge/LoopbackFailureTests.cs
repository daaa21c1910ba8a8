using System.Net;
using System.Net.Sockets;
using Linger.Knowledge;
using Linger.Tests.Support;

namespace Linger.Tests.Knowledge;

/// <summary>
/// Real loopback sockets made to fail on this kernel. Each test checks that .NET reports the SocketError and the
/// native errno that the knowledge base says it reports on Linux, and that explaining the real exception message
/// leads back to the same entry. The "measured" platform notes in failures.json name these tests.
/// </summary>
public sealed class LoopbackFailureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly KnowledgeBase _kb = KnowledgeBase.Default;

    [LinuxFact]
    public async Task Connect_to_a_port_nobody_listens_on_is_refused_with_ECONNREFUSED()
    {
        // A bound socket that never listens keeps the port ours, so nothing else can answer on it.
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(Deadline);

        var ex = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(holder.LocalEndPoint!, cts.Token).AsTask());

        AssertTableAgrees("errno.ECONNREFUSED", ex);
    }

    [LinuxFact]
    public async Task Abortive_close_makes_the_peers_receive_fail_with_ECONNRESET()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            client.LingerState = new LingerOption(true, 0);
            client.Close();
            using var cts = new CancellationTokenSource(Deadline);

            var ex = await Assert.ThrowsAsync<SocketException>(() => server.ReceiveAsync(new byte[16], SocketFlags.None, cts.Token).AsTask());

            AssertTableAgrees("errno.ECONNRESET", ex);
        }
    }

    [LinuxFact]
    public async Task Write_after_peer_close_fails_with_EPIPE_and_SocketError_Shutdown()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        {
            server.Close();
            using var cts = new CancellationTokenSource(Deadline);

            // The first write is accepted by the local kernel; the peer answers it with an RST, and a later write
            // fails. Keep writing (bounded by count and time) until the kernel reports the error.
            SocketException? failure = null;
            var failedAt = -1;
            for (var i = 0; i < 200 && failure is null; i++)
            {
                try
                {
                    await client.SendAsync(new byte[] { 1 }, SocketFlags.None, cts.Token);
                    await Task.Delay(10, cts.Token);
                }
                catch (SocketException ex)
                {
                    failure = ex;
                    failedAt = i;
                }
            }

            Assert.NotNull(failure);
            Assert.True(failedAt >= 1, "the first write after the peer's close must still succeed");
            AssertTableAgrees("errno.EPIPE", failure);
            Assert.Equal(SocketError.Shutdown, failure.SocketErrorCode);
        }
    }

    private void AssertTableAgrees(string errnoId, SocketException ex)
    {
        var entry = _kb.Find(errnoId);
        Assert.NotNull(entry);
        Assert.Equal(entry.Numbers[OsPlatform.Linux], ex.NativeErrorCode);
        Assert.Equal(entry.DotNet[OsPlatform.Linux], ex.SocketErrorCode);

        // What a user would paste: the exception's own message. It must lead back to the same condition.
        var explanation = new Explainer(_kb).Explain($"System.Net.Sockets.SocketException ({(int)ex.SocketErrorCode}): {ex.Message}");
        Assert.Contains(explanation.Readings.Take(3), r => r.Entry.Id == errnoId || r.Entry.Related.Contains(errnoId));
    }

    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(Deadline);
        var accept = listener.AcceptAsync(cts.Token).AsTask();
        await client.ConnectAsync(listener.LocalEndPoint!, cts.Token);
        return (client, await accept);
    }
}
