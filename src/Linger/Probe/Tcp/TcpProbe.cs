using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Linger.Flows;

namespace Linger.Probe.Tcp;

/// <summary>
/// <c>linger probe tcp</c>: resolve, connect to every address, listen for a banner, and on request hold the connection
/// idle, open many at once, and capture the probe's own packets for the analyser. Every failure becomes a stage with
/// the error as the kernel reported it, and a finding that names the likely causes.
/// </summary>
public sealed class TcpProbe(TcpProbeOptions options)
{
    private const int MaxAddresses = 16;
    private const int BannerBytes = 4096;

    /// <summary>The most connections <see cref="TcpProbeOptions.Concurrency"/> may ask for.</summary>
    public const int MaxConcurrency = 1000;

    /// <summary>Runs the probe, recording into <paramref name="session"/>.</summary>
    /// <exception cref="Linger.Wire.Live.CapturePermissionException">With <see cref="TcpProbeOptions.Capture"/>, when the process may not capture.</exception>
    /// <exception cref="Linger.Wire.Live.CaptureInterfaceException">With <see cref="TcpProbeOptions.Capture"/>, when the route's interface cannot be captured on.</exception>
    public async Task<ProbeReport> RunAsync(ProbeSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (options.Concurrency is < 0 or > MaxConcurrency)
        {
            throw new InvalidOperationException($"concurrency must be between 0 and {MaxConcurrency}");
        }

        var port = options.Target.Port;
        var addresses = await TargetResolver.ResolveAsync(session, options.Target.Host, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        if (addresses.Count == 0)
        {
            return session.Report();
        }

        addresses = [.. addresses.Take(MaxAddresses)];
        using var capture = options.Capture ? ProbeCapture.Start(addresses, port) : null;
        if (capture is not null)
        {
            session.Info($"capturing on {capture.InterfaceName}, filter '{capture.Filter}'");
        }

        Socket? first = null;
        IPEndPoint? reached = null;
        try
        {
            foreach (var address in addresses)
            {
                var socket = await ConnectStageAsync(session, new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                if (socket is not null && first is null)
                {
                    first = socket;
                    reached = new IPEndPoint(address, port);
                }
                else
                {
                    socket?.Dispose();
                }
            }

            if (first is not null && await BannerStageAsync(session, first, cancellationToken).ConfigureAwait(false) && options.Hold is { } hold)
            {
                await HoldStageAsync(session, first, hold, cancellationToken).ConfigureAwait(false);
            }

            first?.Dispose();
            first = null;
            if (options.Concurrency > 0 && reached is not null)
            {
                await ConcurrencyStageAsync(session, reached, options.Concurrency, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            first?.Dispose();
        }

        if (capture is not null)
        {
            CaptureStage(session, capture);
        }

        return session.Report();
    }

    private async Task<Socket?> ConnectStageAsync(ProbeSession session, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var started = session.ElapsedMs;
        session.Info($"connecting to {endPoint}");
        var (socket, outcome, error) = await ConnectAsync(endPoint, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        if (socket is not null)
        {
            var stage = session.Stage("connect", true, started, received: $"{endPoint} connected from {socket.LocalEndPoint}");
            session.Info(string.Create(CultureInfo.InvariantCulture, $"connected to {endPoint} in {stage.Ms:0.0} ms"));
            return socket;
        }

        session.Stage("connect", false, started, received: $"{endPoint} {ConnectOutcomes.Describe(outcome)}", error: error);
        FindConnectFailure(session, endPoint, outcome, error, options.ConnectTimeout);
        return null;
    }

    /// <summary>The finding for a connect that failed: the causes the wire cannot tell apart, both named.</summary>
    internal static void FindConnectFailure(ProbeSession session, IPEndPoint endPoint, ConnectOutcome outcome, ProbeError? error, TimeSpan timeout)
    {
        var wait = timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        switch (outcome)
        {
            case ConnectOutcome.Refused:
                CauseChoice.Find(session, "connect-refused", "connect", $"{endPoint} answered the connection request with a reset: nothing accepts connections on port {endPoint.Port} there, or a firewall rejects them.", "nothing-listening", "firewall-reject", "ECONNREFUSED");
                break;
            case ConnectOutcome.TimedOut:
                CauseChoice.Find(session, "connect-timeout", "connect", $"{endPoint} did not answer the connection request within {wait} s: the packets vanish on the way (a firewall dropping them) or the host is down.", "firewall-drop", "host-down-or-unreachable", "ETIMEDOUT");
                break;
            case ConnectOutcome.Unreachable:
                CauseChoice.Find(session, "connect-unreachable", "connect", $"{endPoint} is unreachable: {error?.Message}.", "host-down-or-unreachable", "no-local-route", "EHOSTUNREACH");
                break;
            case ConnectOutcome.Reset:
                CauseChoice.Find(session, "connect-reset", "connect", $"The connection to {endPoint} was reset while it was being set up.", "antivirus-or-proxy", "too-many-connections", "ECONNRESET");
                break;
            default:
                break;
        }

    }

    private async Task<bool> BannerStageAsync(ProbeSession session, Socket socket, CancellationToken cancellationToken)
    {
        var started = session.ElapsedMs;
        var wait = options.BannerWait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        session.Info($"waiting up to {wait} s for the server to speak first");
        var buffer = new byte[BannerBytes];
        var read = await ReceiveAsync(socket, buffer, options.BannerWait, cancellationToken).ConfigureAwait(false);
        switch (read.Kind)
        {
            case ReceiveKind.Data:
                var banner = Printable(buffer.AsSpan(0, read.Bytes));
                foreach (var line in banner.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    session.Received(line.TrimEnd('\r'));
                }

                session.Stage("banner", true, started, received: banner.TrimEnd());
                return true;
            case ReceiveKind.Silent:
                session.Info($"the server said nothing in {wait} s: it waits for the client to speak first (as HTTP and TLS servers do)");
                session.Stage("banner", true, started);
                return true;
            case ReceiveKind.Closed:
                session.Stage("banner", false, started, error: ProbeError.Of("the server closed the connection (FIN) right after accepting it, without a word"));
                CauseChoice.Find(session, "closed-after-accept", "banner", "The server accepted the connection and closed it at once without saying anything: it turns connections away (a connection limit) or something in between ends them.", "too-many-connections", "antivirus-or-proxy", null);
                return false;
            default:
                session.Stage("banner", false, started, error: read.Error);
                CauseChoice.Find(session, "reset-after-accept", "banner", "The connection was accepted and then reset before anything was said: the server refuses more connections, or a security product or proxy in between kills them.", "too-many-connections", "antivirus-or-proxy", "ECONNRESET");
                return false;
        }
    }

    private static async Task HoldStageAsync(ProbeSession session, Socket socket, TimeSpan hold, CancellationToken cancellationToken)
    {
        var started = session.ElapsedMs;
        var seconds = hold.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        session.Info($"holding the connection idle for {seconds} s");
        var buffer = new byte[BannerBytes];
        var lastActivityMs = session.ElapsedMs;
        for (var reads = 0; reads < 10_000; reads++)
        {
            var left = hold - TimeSpan.FromMilliseconds(session.ElapsedMs - started); // the session's clock is monotonic
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            var read = await ReceiveAsync(socket, buffer, left, cancellationToken).ConfigureAwait(false);
            var idle = ((session.ElapsedMs - lastActivityMs) / 1000).ToString("0.0", CultureInfo.InvariantCulture);
            switch (read.Kind)
            {
                case ReceiveKind.Data:
                    session.Received(Printable(buffer.AsSpan(0, read.Bytes)).TrimEnd());
                    lastActivityMs = session.ElapsedMs;
                    continue;
                case ReceiveKind.Silent:
                    break;
                case ReceiveKind.Closed:
                    session.Stage("hold", false, started, received: "FIN", error: ProbeError.Of($"the server closed the connection (FIN) after {idle} s idle"));
                    session.Find("hold-closed-by-server", "hold", $"After {idle} s without traffic the server ended the connection gracefully (FIN): it closes idle connections.", "server-idle-timeout", null);
                    return;
                default:
                    session.Stage("hold", false, started, received: "RST", error: read.Error! with { Message = $"{read.Error!.Message} after {idle} s idle" });
                    CauseChoice.Find(session, "hold-reset", "hold", $"After {idle} s without traffic the connection was reset (RST): a firewall, NAT or load balancer dropped its idle state, or the server aborts idle connections.", "middlebox-idle-timeout", "server-idle-timeout", "ECONNRESET");
                    return;
            }

            break;
        }

        session.Info($"the connection is still open after {seconds} s idle");
        session.Stage("hold", true, started, received: $"still open after {seconds} s");
    }

    private async Task ConcurrencyStageAsync(ProbeSession session, IPEndPoint endPoint, int count, CancellationToken cancellationToken)
    {
        var started = session.ElapsedMs;
        session.Info($"opening {count} connections to {endPoint} and keeping them all open");
        var sockets = new Socket?[count];
        var outcomes = new ConnectOutcome[count];
        var afterAccept = new string?[count];
        try
        {
            // In order until the first failure, so "where failures start" is a number; the rest at once, so a limit
            // reached by timeouts costs one connect timeout, not one per connection.
            var next = 0;
            for (; next < count; next++)
            {
                (sockets[next], outcomes[next], _) = await ConnectAsync(endPoint, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
                if (outcomes[next] != ConnectOutcome.Ok)
                {
                    next++;
                    break;
                }
            }

            var rest = Enumerable.Range(next, count - next).Select(async i => (sockets[i], outcomes[i], _) = await ConnectAsync(endPoint, options.ConnectTimeout, cancellationToken).ConfigureAwait(false));
            await Task.WhenAll(rest).ConfigureAwait(false);

            // Servers over their limit often accept and then close or reset: give them a moment, then look.
            var settle = options.BannerWait < TimeSpan.FromSeconds(1) ? options.BannerWait : TimeSpan.FromSeconds(1);
            await Task.Delay(settle, cancellationToken).ConfigureAwait(false);
            var probeBuffer = new byte[BannerBytes];
            for (var i = 0; i < count; i++)
            {
                if (sockets[i] is { } s)
                {
                    var read = await ReceiveAsync(s, probeBuffer, TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
                    afterAccept[i] = read.Kind switch { ReceiveKind.Closed => "closed", ReceiveKind.Failed => "reset", _ => null };
                }
            }
        }
        finally
        {
            foreach (var s in sockets)
            {
                s?.Dispose();
            }
        }

        var open = 0;
        int? firstFailure = null;
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var what = outcomes[i] == ConnectOutcome.Ok ? afterAccept[i] is { } after ? $"{after} after accept" : null : ConnectOutcomes.Describe(outcomes[i]);
            if (what is null)
            {
                open++;
                continue;
            }

            firstFailure ??= i + 1;
            kinds[what] = kinds.GetValueOrDefault(what) + 1;
        }

        var tally = string.Join(", ", kinds.Select(k => $"{k.Value} {k.Key}"));
        if (firstFailure is not { } firstFailed)
        {
            session.Info($"all {count} connections opened and stayed open");
            session.Stage("concurrency", true, started, received: $"{count} of {count} open");
            return;
        }

        var summary = $"{open} of {count} connections opened and stayed open; from connection #{firstFailed} on: {tally}";
        session.Stage("concurrency", false, started, received: summary, error: ProbeError.Of($"connection #{firstFailed} was the first to fail ({tally})"));
        if (kinds.Keys.Any(k => k.EndsWith("after accept", StringComparison.Ordinal) || k == "refused" || k == "reset"))
        {
            CauseChoice.Find(session, "concurrency-limit", "concurrency", firstFailed == 1 ? $"{summary}. Not even the first connection stayed open." : $"{summary}. The server takes {firstFailed - 1} connections at once and turns further ones away.", "too-many-connections", "antivirus-or-proxy", kinds.ContainsKey("refused") ? "ECONNREFUSED" : "ECONNRESET");
        }

        if (kinds.ContainsKey("timed out"))
        {
            CauseChoice.Find(session, "concurrency-timeouts", "concurrency", $"{summary}. Connections beyond #{firstFailed - 1} get no answer: the server's queue of connections waiting to be accepted is full, or a firewall limits connections per client.", "listen-backlog-full", "too-many-connections", "ETIMEDOUT");
        }
    }

    private static void CaptureStage(ProbeSession session, ProbeCapture capture)
    {
        var started = session.ElapsedMs;
        var conversations = capture.StopAndAnalyze(TimeSpan.FromMilliseconds(300));
        var verdicts = new List<string>();
        foreach (var c in conversations)
        {
            var text = $"{c.Client} -> {c.Server}: {Describe(c)} (history {c.History}, {c.Packets} packets)";
            session.Info($"capture: {text}");
            verdicts.Add(text);
        }

        session.Stage("capture", conversations.Count > 0, started, received: string.Join("; ", verdicts),
            error: conversations.Count > 0 ? null : ProbeError.Of($"no packet of the probe was captured on {capture.InterfaceName}"));
    }

    private static string Describe(ConversationSummary c) => c.Verdict switch
    {
        Verdict.Reset when c.ResetBy is { } by => $"reset by the {(by == Side.Client ? "client" : "server")}",
        _ => c.Verdict.ToString().ToLowerInvariant(),
    };

    internal static async Task<(Socket? Socket, ConnectOutcome Outcome, ProbeError? Error)> ConnectAsync(IPEndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endPoint, cts.Token).ConfigureAwait(false);
            return (socket, ConnectOutcome.Ok, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            return (null, ConnectOutcome.TimedOut, ProbeError.Of(string.Create(CultureInfo.InvariantCulture, $"no answer to the connection request within {timeout.TotalSeconds:0.#} s")));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return (null, ConnectOutcomes.Of(e.SocketErrorCode), ProbeError.From(e));
        }
    }

    private static async Task<Received> ReceiveAsync(Socket socket, byte[] buffer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token).ConfigureAwait(false);
            return n == 0 ? new Received(ReceiveKind.Closed, 0, null) : new Received(ReceiveKind.Data, n, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Received(ReceiveKind.Silent, 0, null);
        }
        catch (SocketException e)
        {
            return new Received(ReceiveKind.Failed, 0, ProbeError.From(e));
        }
    }

    /// <summary>Bytes as text a terminal can show: UTF-8, control characters other than line ends as '.'.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]) && chars[i] is not '\n' and not '\r')
            {
                chars[i] = '.';
            }
        }

        return new string(chars);
    }

    private enum ReceiveKind
    {
        Data,
        Silent,
        Closed,
        Failed,
    }

    private readonly record struct Received(ReceiveKind Kind, int Bytes, ProbeError? Error);
}
