using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab.Internal;

namespace Linger.Lab.Scenarios;

/// <summary>SO_LINGER {1,1} with data the peer will not take yet: close blocks for the linger time, then returns.</summary>
internal sealed class LingerTimeout : Scenario
{
    private const int LingerSeconds = 1;

    // Small buffers fill in a few dozen kilobytes, so the stall comes at once.
    private const int BufferSize = 4096;
    private const int Chunk = 1024;
    private const int MaxChunks = 4096;
    private const int MaxReads = 10_000;

    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);
    private const int MaxSettleWaits = 10;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(LingerSeconds + 3);

    public override string Id => "linger-timeout";

    public override string Title => "SO_LINGER {1,1} with data the peer does not read";

    public override string Description =>
        $"The server stops reading; the client writes until both its send buffer and the server's receive buffer are "
        + $"full, sets SO_LINGER to {{on, {LingerSeconds} s}} and closes. close blocks, waiting for the unsent data to be "
        + "acknowledged, for the whole linger time, and then returns success: on Linux the timeout does not reset the "
        + "connection. The kernel keeps the orphaned socket in FIN_WAIT1 with the data and the FIN still queued, and "
        + "delivers them when the server reads again: the application cannot tell from close whether its data "
        + "arrived. A signal delivered to the closing thread ends the wait early, and close returns success just the "
        + "same (the lab blocks signals on that thread). Windows documents the opposite: when the linger time runs "
        + "out, closesocket resets the connection and the unsent data is lost.";

    public override Expectation Expected => new(Verdict.Closed);

    public override IReadOnlyList<string> DifferenceIds => ["linger-timeout"];

    public override TimeSpan Timeout => TimeSpan.FromSeconds(10);

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var listener = context.Listen();
        context.Step(Actor.Server, $"set SO_RCVBUF {BufferSize} on the listener (accepted sockets inherit it)", () =>
        {
            listener.ReceiveBufferSize = BufferSize;
            return StepResult.Success();
        });
        var client = context.NewSocket(Actor.Client);
        context.Step(Actor.Client, $"set SO_SNDBUF {BufferSize}", () =>
        {
            client.SendBufferSize = BufferSize;
            return StepResult.Success();
        });
        var server = await context.ConnectAndAcceptAsync(listener, client).ConfigureAwait(false);
        if (server is null)
        {
            return;
        }

        long written = 0;
        var fill = context.Step(Actor.Client, "send without blocking until the kernel takes no more (the server does not read)", () =>
        {
            client.Blocking = false;
            var data = new byte[Chunk];
            SocketException? full = null;
            var waits = 0;
            for (var i = 0; i < MaxChunks; i++)
            {
                try
                {
                    written += client.Send(data);
                    continue;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
                {
                    full = e;
                }
                catch (SocketException e)
                {
                    return StepResult.From(e, written, $"{ScenarioContext.Plural(written, "byte")} taken, then: {e.Message}");
                }

                // A full send buffer is not yet a closed window: on a busy machine the server's kernel may not have
                // taken in what was sent. Only a send buffer that stays full, with nothing acknowledged, means the
                // server's receive buffer is full too; otherwise close would find room for everything and return at once.
                // So: wait, and try once more. (Not Socket.Poll: it restarts its whole timeout after each signal, and
                // under a stream of signals never returns.)
                if (++waits > MaxSettleWaits || !RoomAfter(client, Settle))
                {
                    return StepResult.From(full, written, $"{ScenarioContext.Plural(written, "byte")} taken, then: {full.Message}");
                }
            }

            return StepResult.Failed($"the kernel still took data after {ScenarioContext.Plural(written, "byte")}");
        });
        context.Expect(fill.SocketError == SocketError.WouldBlock, $"the buffers should fill until send would block (EAGAIN); the last send returned {fill.Brief()}");

        context.SetLinger(Actor.Client, client, enabled: true, seconds: LingerSeconds);
        var elapsed = Stopwatch.StartNew();
        var close = await context.StepAsync(
            Actor.Client,
            $"close (SO_LINGER {{1,{LingerSeconds}}}, unsent data queued)",
            async ct =>
            {
                // close(2) blocks for the linger time: keep it off the scenario's thread and bounded, and out of reach
                // of signals, any of which would end the kernel's wait at once.
                await SignalsBlocked.RunAsync(client.Close, "lab linger close").WaitAsync(ct).ConfigureAwait(false);
                return StepResult.Success(detail: string.Create(CultureInfo.InvariantCulture, $"returned after {elapsed.Elapsed.TotalMilliseconds:0} ms"));
            },
            CloseTimeout).ConfigureAwait(false);
        context.Expect(close.Ok, $"close should return without an error when the linger time runs out; it returned {close.Brief()}");
        context.Expect(
            elapsed.Elapsed >= TimeSpan.FromSeconds(LingerSeconds * 0.9),
            string.Create(CultureInfo.InvariantCulture, $"close should block for the linger time ({LingerSeconds} s) while the data cannot be delivered; it returned after {elapsed.Elapsed.TotalMilliseconds:0} ms"));

        long received = 0;
        var drain = await context.StepAsync(
            Actor.Server,
            "read everything until the end of the stream",
            async ct =>
            {
                var buffer = new byte[16384];
                for (var i = 0; i < MaxReads; i++)
                {
                    var n = await server.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        return StepResult.Success(received, $"{ScenarioContext.Plural(received, "byte")}, then the end of the stream (the client's FIN)");
                    }

                    received += n;
                }

                return StepResult.Failed($"no end of stream after {MaxReads} reads");
            },
            bytesSoFar: () => received).ConfigureAwait(false);
        context.Expect(drain.Ok && received == written, $"the server should still receive all {ScenarioContext.Plural(written, "byte")} and the FIN after close returned; it received {ScenarioContext.Plural(received, "byte")} ({drain.Brief()})");
        context.Close(Actor.Server, server);
    }

    /// <summary>Whether the send buffer has room again after <paramref name="wait"/> (then asked without waiting).</summary>
    private static bool RoomAfter(Socket client, TimeSpan wait)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < wait)
        {
            Thread.Sleep(10); // short sleeps against a clock of our own, so signals cannot stretch the wait
        }

        return client.Poll(TimeSpan.Zero, SelectMode.SelectWrite);
    }
}
