using System.Net;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Tests.Support;

namespace Linger.Tests.Flows;

/// <summary>
/// Real kernel traffic on loopback, captured by tcpdump and decoded by tshark: the verdict must say what happened,
/// and the likely errors must include the very error .NET raised on this machine.
/// </summary>
public sealed class KernelTrafficTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [RootFact]
    public async Task A_graceful_close_on_a_real_kernel_is_closed_and_SF()
    {
        using var cts = new CancellationTokenSource(Deadline);
        using var listener = Listener();
        await using var capture = await LoopbackCapture.StartAsync(Port(listener), cts.Token);
        var (client, server) = await ConnectAsync(listener, cts.Token);
        using (client)
        using (server)
        {
            await client.SendAsync("ping"u8.ToArray(), SocketFlags.None, cts.Token);
            await server.ReceiveAsync(new byte[16], SocketFlags.None, cts.Token);
            await server.SendAsync("pong"u8.ToArray(), SocketFlags.None, cts.Token);
            await client.ReceiveAsync(new byte[16], SocketFlags.None, cts.Token);
            client.Shutdown(SocketShutdown.Both);
            Assert.Equal(0, await server.ReceiveAsync(new byte[16], SocketFlags.None, cts.Token));
            server.Shutdown(SocketShutdown.Both);
        }

        var c = Assert.Single(ConversationTracker.Analyze(await capture.StopAsync(cts.Token)));
        Assert.Equal(Verdict.Closed, c.Verdict);
        Assert.Equal(ZeekConnState.SF, c.ConnState);
        Assert.Equal(4, c.BytesClient);
        Assert.Equal(4, c.BytesServer);
        Assert.Empty(c.LikelyErrors);
    }

    [RootFact]
    public async Task A_refused_connect_on_a_real_kernel_is_refused_with_the_error_dotnet_raised()
    {
        using var cts = new CancellationTokenSource(Deadline);
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound, never listening: the kernel refuses
        await using var capture = await LoopbackCapture.StartAsync(Port(holder), cts.Token);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        var ex = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(holder.LocalEndPoint!, cts.Token).AsTask());

        var c = Assert.Single(ConversationTracker.Analyze(await capture.StopAsync(cts.Token)));
        Assert.Equal(Verdict.Refused, c.Verdict);
        Assert.Equal(ZeekConnState.REJ, c.ConnState);
        AssertSawOnLinux(c, Side.Client, ex);
    }

    [RootFact]
    public async Task An_abortive_close_on_a_real_kernel_is_a_reset_by_that_side_with_the_error_dotnet_raised()
    {
        using var cts = new CancellationTokenSource(Deadline);

        var (c, serverError) = await AbortAfterThePeersDataAsync(cts.Token);

        Assert.Equal(Verdict.Reset, c.Verdict);
        Assert.Equal(Side.Client, c.ResetBy);
        Assert.False(c.AfterFin);
        Assert.False(c.SuspectedInjection);
        AssertSawOnLinux(c, Side.Server, serverError);
    }

    [RootFact]
    public async Task An_abortive_close_after_the_peers_data_on_a_real_kernel_is_not_in_reply_to_data()
    {
        using var cts = new CancellationTokenSource(Deadline);

        var (c, _) = await AbortAfterThePeersDataAsync(cts.Token);

        // The server's data was the last data, but the client never closed before its RST: nothing to answer.
        Assert.False(c.InReplyToData);
    }

    [RootFact]
    public async Task Closing_with_unread_data_on_a_real_kernel_resets_without_a_FIN_and_not_in_reply_to_data()
    {
        using var cts = new CancellationTokenSource(Deadline);
        using var listener = Listener();
        await using var capture = await LoopbackCapture.StartAsync(Port(listener), cts.Token);
        var (client, server) = await ConnectAsync(listener, cts.Token);
        using (client)
        {
            await client.SendAsync("unread"u8.ToArray(), SocketFlags.None, cts.Token);
            for (var i = 0; i < 200 && server.Available == 0; i++)
            {
                await Task.Delay(10, cts.Token); // until the bytes sit in the server's receive queue
            }

            Assert.True(server.Available > 0, "the client's bytes never reached the server's receive queue");
            server.Close(); // a normal close; the kernel resets because the data was never read
            await Assert.ThrowsAsync<SocketException>(() => client.ReceiveAsync(new byte[16], SocketFlags.None, cts.Token).AsTask());

            var c = Assert.Single(ConversationTracker.Analyze(await capture.StopAsync(cts.Token)));
            Assert.Equal(Side.Server, c.ResetBy);
            Assert.False(c.AfterFin);
            Assert.False(c.InReplyToData);
        }
    }

    [RootFact]
    public async Task Writing_after_the_peers_close_on_a_real_kernel_is_a_reset_after_FIN_with_the_error_dotnet_raised()
    {
        using var cts = new CancellationTokenSource(Deadline);
        using var listener = Listener();
        await using var capture = await LoopbackCapture.StartAsync(Port(listener), cts.Token);
        var (client, server) = await ConnectAsync(listener, cts.Token);
        using (client)
        {
            server.Close();
            SocketException? failure = null;
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
                }
            }

            Assert.NotNull(failure);
            var c = Assert.Single(ConversationTracker.Analyze(await capture.StopAsync(cts.Token)));
            Assert.Equal(Verdict.Reset, c.Verdict);
            Assert.Equal(Side.Server, c.ResetBy);
            Assert.True(c.AfterFin);
            Assert.True(c.InReplyToData);
            Assert.False(c.SuspectedInjection);
            AssertSawOnLinux(c, Side.Client, failure);
        }
    }

    /// <summary>
    /// The server sends 5 bytes, the client reads them and aborts (SO_LINGER {1,0}: RST, no FIN); returns the captured
    /// conversation and the error the server's pending receive failed with.
    /// </summary>
    private static async Task<(ConversationSummary Conversation, SocketException ServerError)> AbortAfterThePeersDataAsync(CancellationToken cancellationToken)
    {
        using var listener = Listener();
        await using var capture = await LoopbackCapture.StartAsync(Port(listener), cancellationToken);
        var (client, server) = await ConnectAsync(listener, cancellationToken);
        using (client)
        using (server)
        {
            await server.SendAsync("hello"u8.ToArray(), SocketFlags.None, cancellationToken);
            await client.ReceiveAsync(new byte[16], SocketFlags.None, cancellationToken);
            client.LingerState = new LingerOption(true, 0);
            client.Close();
            var ex = await Assert.ThrowsAsync<SocketException>(() => server.ReceiveAsync(new byte[16], SocketFlags.None, cancellationToken).AsTask());
            return (Assert.Single(ConversationTracker.Analyze(await capture.StopAsync(cancellationToken))), ex);
        }
    }

    /// <summary>The side's likely Linux errors name the errno and the SocketError this process actually got.</summary>
    private static void AssertSawOnLinux(ConversationSummary c, Side side, SocketException ex)
    {
        Assert.True(c.LikelyErrors.ContainsKey(side), $"no likely errors for the {side}");
        var linux = c.LikelyErrors[side].Where(e => e.Platform == Linger.Knowledge.OsPlatform.Linux).Select(e => e.EntryId).ToList();
        Assert.Contains("errno." + Libc.ErrnoName(ex.NativeErrorCode), linux);
        Assert.Contains("dotnet." + ex.SocketErrorCode, linux);
    }

    private static Socket Listener()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        return listener;
    }

    private static int Port(Socket s) => ((IPEndPoint)s.LocalEndPoint!).Port;

    private static async Task<(Socket Client, Socket Server)> ConnectAsync(Socket listener, CancellationToken cancellationToken)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync(cancellationToken).AsTask();
        await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken);
        return (client, await accept);
    }
}
