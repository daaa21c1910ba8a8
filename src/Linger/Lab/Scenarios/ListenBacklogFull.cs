using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Linger.Flows;

namespace Linger.Lab.Scenarios;

/// <summary>A server that never accepts: once its accept queue is full, Linux drops the next SYN without a word.</summary>
internal sealed class ListenBacklogFull : Scenario
{
    private const int Backlog = 1;

    // Linux admits one connection more than the backlog (the queue is full only when it holds more than the backlog),
    // so a handful of attempts always reaches the one that overflows.
    private const int MaxAttempts = 6;

    // The first SYN retransmission leaves after the initial RTO of 1 s: wait a little longer, so the capture shows it.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMilliseconds(1200);

    public override string Id => "listen-backlog-full";

    public override string Title => "Listen backlog full: a server that never accepts";

    public override string Description =>
        $"The server listens with a backlog of {Backlog} and never calls accept. Clients connect one after another: "
        + "the kernel completes their handshakes by itself and queues them, until the accept queue is full. The next "
        + "client's SYN is then dropped without an answer (net.ipv4.tcp_abort_on_overflow=0, the default): its connect "
        + "neither succeeds nor fails, the kernel retransmits the SYN after 1 s, 3 s, 7 s... and only after about "
        + "two minutes (tcp_syn_retries) would connect fail with ETIMEDOUT; here an application timeout gives up "
        + "first. The kernel counts each drop in TcpExt ListenOverflows. Windows documents a refusal (10061) instead.";

    public override Expectation Expected => new(Verdict.Unanswered);

    public override IReadOnlyList<string> DifferenceIds => ["backlog-full", "connect-timeout"];

    public override string ExplainCode => "ETIMEDOUT";

    public override async Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var overflowsBefore = ListenOverflows();
        context.Listen(Backlog);

        var completed = 0;
        StepResult? overflowing = null;
        for (var attempt = 1; attempt <= MaxAttempts && overflowing is null; attempt++)
        {
            var client = context.NewSocket(Actor.Client);

            // Bound first, so the connection can be watched (and found in the capture) even if connect never returns.
            client.Bind(new IPEndPoint(context.Site.ClientAddress, 0));
            context.Watch((IPEndPoint)client.LocalEndPoint!);
            var connect = await context.ConnectAsync(client, ConnectTimeout).ConfigureAwait(false);
            if (connect.Ok)
            {
                completed++;
            }
            else
            {
                overflowing = connect;
            }
        }

        context.Expect(completed == Backlog + 1, $"Linux should complete backlog + 1 = {Backlog + 1} handshakes without accept; it completed {completed}");
        context.Expect(
            overflowing is { SocketError: null, Errno: null },
            $"the connect after the queue filled should hang until the application timeout; it returned {overflowing?.Brief() ?? "nothing (every connect completed)"}");

        if (overflowsBefore is { } before && ListenOverflows() is { } after)
        {
            var drops = after - before;
            context.Record(Actor.Server, "read TcpExt ListenOverflows (/proc/net/netstat)", StepResult.Success(detail: string.Create(
                CultureInfo.InvariantCulture,
                $"grew by {drops}: each dropped SYN is counted (this count is for the whole network namespace)")));
            context.Expect(drops >= 1, $"the kernel should count the dropped SYNs in ListenOverflows; it grew by {drops}");
        }
    }

    /// <summary>The kernel's count of SYNs dropped because an accept queue was full, or null when unreadable.</summary>
    private static long? ListenOverflows()
    {
        try
        {
            // Pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: value1 value2 ...".
            var lines = File.ReadAllLines("/proc/net/netstat");
            for (var i = 0; i + 1 < lines.Length; i++)
            {
                if (!lines[i].StartsWith("TcpExt:", StringComparison.Ordinal))
                {
                    continue;
                }

                var names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var values = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var index = Array.IndexOf(names, "ListenOverflows");
                return index > 0 && index < values.Length && long.TryParse(values[index], CultureInfo.InvariantCulture, out var count) ? count : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The counter is extra evidence; without it the steps still tell the story.
        }

        return null;
    }
}
