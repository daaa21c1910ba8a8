using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Linger.Flows;
using Linger.Wire.Filtering;

namespace Linger.Lab.Scenarios;

/// <summary>
/// An idle connection whose peer vanished: only keep-alive notices, after two hours by default, or in seconds when
/// tuned; TCP_USER_TIMEOUT, when set, decides instead of the probe count.
/// </summary>
internal sealed class KeepAliveDeadPeer : Scenario
{
    private const int IdleSeconds = 1;
    private const int IntervalSeconds = 1;
    private const int Probes = 3;
    private const int UserTimeoutMs = 1500;

    // Linux's socket-level options (asm-generic/socket.h, linux/tcp.h); .NET names neither.
    private const int SolSocket = 1;
    private const int SoAttachFilter = 26;
    private const int IpProtoTcp = 6;
    private const int TcpUserTimeout = 18;

    // A classic BPF program of one instruction, "return 0": every packet is dropped before TCP sees it.
    private const ushort ReturnConstant = 0x06;

    // The tuned connection fails after idle + probes x interval = 4 s; wait well past that.
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(8);

    public override string Id => "keepalive-dead-peer";

    public override string Title => "Keep-alive finds a vanished peer (default versus tuned)";

    public override string Description =>
        "Three idle connections wait for data from a server that then vanishes without a word (its kernel drops every "
        + "packet to it, as if it lost power or a firewall cut it off). Nothing is sent, so nothing fails: only "
        + "keep-alive probes can notice. With Linux's defaults (7200 s idle, then 9 probes 75 s apart) the first "
        + "connection would learn of it after 2 h 11 min; the scenario only reads those settings. The second is tuned "
        + $"(TcpKeepAliveTime {IdleSeconds} s, TcpKeepAliveInterval {IntervalSeconds} s, TcpKeepAliveRetryCount {Probes}): its "
        + $"pending read fails with ETIMEDOUT (.NET: TimedOut, 10060) after about {IdleSeconds + (Probes * IntervalSeconds)} s, "
        + "and its kernel sends a RST as it gives up. The third adds "
        + $"TCP_USER_TIMEOUT {UserTimeoutMs} ms, which replaces the probe count: the connection dies at the first probe "
        + "after the user timeout has passed without an answer, here after 2 s.";

    public override Expectation Expected => new(Verdict.Reset, Side.Client);

    public override IReadOnlyList<string> DifferenceIds => ["keepalive-failure"];

    public override string ExplainCode => "ETIMEDOUT";

    public override TimeSpan Timeout => TimeSpan.FromSeconds(15);

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var listener = context.Listen();

        var defaults = context.NewSocket(Actor.Client);
        context.Step(Actor.Client, "connection 1: SO_KEEPALIVE on, the system's defaults", () =>
        {
            defaults.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            var idle = (int)defaults.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!;
            var interval = (int)defaults.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!;
            var count = (int)defaults.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!;
            var total = TimeSpan.FromSeconds(idle + ((long)count * interval));
            return StepResult.Success(detail: string.Create(
                CultureInfo.InvariantCulture,
                $"idle {idle} s, interval {interval} s, {count} probes: a dead peer is noticed after {total.TotalSeconds:0} s ({(int)total.TotalHours} h {total.Minutes} min)"));
        });

        var tuned = context.NewSocket(Actor.Client);
        var bounded = context.NewSocket(Actor.Client);

        var servers = new List<Socket>();
        foreach (var client in new[] { tuned, defaults, bounded })
        {
            // The tuned connection is connected first, so it is the watched one.
            var server = await context.ConnectAndAcceptAsync(listener, client).ConfigureAwait(false);
            if (server is null)
            {
                return;
            }

            servers.Add(server);
        }

        var vanish = context.Step(Actor.Network, "the server vanishes: every packet to its 3 connections is dropped from now on (a drop-all socket filter)", () =>
        {
            foreach (var server in servers)
            {
                DropEverything(server);
            }

            return StepResult.Success();
        });
        if (!vanish.Ok)
        {
            ScenarioContext.Skip($"the kernel refused the drop filter that makes the server vanish ({vanish.Brief()}); run as root");
        }

        // Tuned only now: a probe due while the three connections were still being set up (1 s idle, on a loaded
        // machine) would have been answered by the server that had not vanished yet, and counted with the others.
        context.Step(Actor.Client, $"connection 2: SO_KEEPALIVE on, idle {IdleSeconds} s, interval {IntervalSeconds} s, {Probes} probes", () =>
        {
            Tune(tuned);
            return StepResult.Success();
        });
        context.Step(Actor.Client, $"connection 3: as 2, and TCP_USER_TIMEOUT {UserTimeoutMs} ms", () =>
        {
            Tune(bounded);
            bounded.SetRawSocketOption(IpProtoTcp, TcpUserTimeout, BitConverter.GetBytes(UserTimeoutMs));
            return StepResult.Success();
        });

        var clock = Stopwatch.StartNew();
        var readTuned = context.ReceiveAsync(Actor.Client, tuned, 64, ReadTimeout, "connection 2 (tuned): receive, idle");
        var readBounded = context.ReceiveAsync(Actor.Client, bounded, 64, ReadTimeout, "connection 3 (tuned + TCP_USER_TIMEOUT): receive, idle");
        var firstFailure = await Task.WhenAny(readTuned, readBounded).ConfigureAwait(false);
        var noticedFirst = clock.Elapsed;
        var tunedResult = await readTuned.ConfigureAwait(false);
        var boundedResult = await readBounded.ConfigureAwait(false);

        context.Expect(tunedResult.SocketError == SocketError.TimedOut, $"the tuned connection's read should fail with ETIMEDOUT; it returned {tunedResult.Brief()}");
        context.Expect(boundedResult.SocketError == SocketError.TimedOut, $"the read bounded by TCP_USER_TIMEOUT should fail with ETIMEDOUT; it returned {boundedResult.Brief()}");
        context.Expect(firstFailure == readBounded, "TCP_USER_TIMEOUT (1.5 s) should end connection 3 before the probe count (3 probes) ends connection 2");

        context.Record(Actor.Client, "connection 1 (defaults): look at its state", StepResult.Success(detail: string.Create(
            CultureInfo.InvariantCulture,
            $"{StateOf(context, Actor.Client, defaults)} {clock.Elapsed.TotalSeconds:0.0} s after the server vanished (first failure after {noticedFirst.TotalSeconds:0.0} s): its first probe is hours away")));
        context.Record(Actor.Server, "the server's sockets: look at their state", StepResult.Success(detail:
            $"{StateOf(context, Actor.Server, servers[0])}: the client's RSTs never arrived; the server's side is half-open"));

        context.Close(Actor.Client, defaults, "close connection 1");

        // Abortive, so no FIN is left retransmitting into a filter that drops every answer.
        context.Step(Actor.Server, "the server finally closes its 3 half-open sockets (SO_LINGER {1,0}: RST)", () =>
        {
            foreach (var server in servers)
            {
                server.LingerState = new LingerOption(true, 0);
                server.Close();
            }

            return StepResult.Success();
        });
    }

    private static void Tune(Socket socket)
    {
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, IdleSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, IntervalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, Probes);
    }

    /// <summary>Makes the socket deaf: a socket filter runs before TCP, so a dropped segment is never seen or answered.</summary>
    private static void DropEverything(Socket socket)
    {
        BpfInstruction[] program = [new BpfInstruction(ReturnConstant, 0, 0, 0)];
        var pinned = GCHandle.Alloc(program, GCHandleType.Pinned);
        try
        {
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }: the pointer is pointer-aligned.
            Span<byte> fprog = stackalloc byte[2 * IntPtr.Size];
            fprog.Clear();
            var length = (ushort)program.Length;
            MemoryMarshal.Write(fprog, in length);
            var address = pinned.AddrOfPinnedObject();
            MemoryMarshal.Write(fprog[IntPtr.Size..], in address);
            socket.SetRawSocketOption(SolSocket, SoAttachFilter, fprog);
        }
        finally
        {
            pinned.Free();
        }
    }

    private static string StateOf(ScenarioContext context, Actor actor, Socket socket)
    {
        var local = (IPEndPoint)socket.LocalEndPoint!;
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        foreach (var entry in context.Site.ReadTcpTable(actor))
        {
            if (entry.Local.Equals(local) && entry.Remote.Equals(remote))
            {
                return entry.State;
            }
        }

        return "CLOSED";
    }
}
