using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Knowledge;
using Linger.Wire;

namespace Linger.Lab;

/// <summary>
/// Runs scenarios one after another: makes the site, reserves the server port, captures the packets (when allowed),
/// plays the scenario with its timeout, then runs the analyser on the capture and compares its verdict with the
/// scenario's expectation. Cleans up whatever happens.
/// </summary>
public sealed class LabRunner
{
    private readonly LabEnvironment _environment;

    /// <summary>A runner for <paramref name="environment"/>.</summary>
    public LabRunner(LabEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _environment = environment;
    }

    /// <summary>Runs <paramref name="scenarios"/> in order, reporting each result as it comes.</summary>
    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(IEnumerable<Scenario> scenarios, IProgress<ScenarioResult>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        var results = new List<ScenarioResult>();
        foreach (var scenario in scenarios)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await RunAsync(scenario, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            progress?.Report(result);
        }

        return results;
    }

    /// <summary>Runs one scenario.</summary>
    public async Task<ScenarioResult> RunAsync(Scenario scenario, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var windows = Differences(scenario);
        if (scenario.SkipReason(_environment) is { } skip)
        {
            return new ScenarioResult { Scenario = scenario, Status = ScenarioStatus.Skipped, SkipReason = skip, Windows = windows };
        }

        var total = Stopwatch.StartNew();
        var failures = new List<string>();
        var notes = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(scenario.Timeout);
        var ct = timeout.Token;

        LabSite site;
        try
        {
            site = await scenario.CreateSiteAsync(_environment, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or SocketException or UnauthorizedAccessException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new ScenarioResult
            {
                Scenario = scenario,
                Status = ScenarioStatus.Failed,
                Failures = [$"setting up the scenario failed: {e.Message}"],
                Windows = windows,
                DurationMs = total.Elapsed.TotalMilliseconds,
            };
        }

        await using (site.ConfigureAwait(false))
        {
            var port = ReservePort(site);
            string? capturePath = null;
            string? temporary = null;
            LabCaptureSession? capture = null;
            if (_environment.CapturePackets)
            {
                var directory = _environment.CaptureDirectory;
                if (directory is null)
                {
                    temporary = Directory.CreateTempSubdirectory("linger-lab-").FullName;
                    directory = temporary;
                }

                Directory.CreateDirectory(directory);
                capturePath = Path.Combine(directory, scenario.Id + ".pcapng");
                try
                {
                    capture = site.StartCapture($"tcp port {port.ToString(CultureInfo.InvariantCulture)}", capturePath, ct);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or SocketException)
                {
                    notes.Add($"packets not captured: {e.Message}");
                    capturePath = null;
                }
            }

            var clock = Stopwatch.StartNew();
            var startNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            var context = new ScenarioContext(site, _environment, port, clock, ct);
            string? skipped = null;
            try
            {
                await using (context.ConfigureAwait(false))
                {
                    try
                    {
                        await scenario.RunAsync(context).ConfigureAwait(false);
                    }
                    catch (ScenarioSkippedException e)
                    {
                        skipped = e.Message;
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        failures.Add($"did not finish within {scenario.Timeout.TotalSeconds:0} s");
                    }
                    catch (Exception e) when (e is SocketException or IOException or InvalidOperationException or TimeoutException or UnauthorizedAccessException)
                    {
                        failures.Add($"the scenario stopped: {e.Message}");
                    }
                }

                failures.AddRange(context.Failures);
                IReadOnlyList<TcpPacket> packets = [];
                if (capture is not null)
                {
                    try
                    {
                        packets = await capture.StopAsync(cancellationToken).ConfigureAwait(false);
                        if (capture.Dropped > 0)
                        {
                            notes.Add($"the kernel dropped {ScenarioContext.Plural(capture.Dropped, "packet")} from the capture");
                        }
                    }
                    catch (Exception e) when (e is IOException or TimeoutException)
                    {
                        failures.Add(e.Message);
                    }
                }

                var conversations = capture is null ? [] : ConversationTracker.Analyze(packets).ToList();
                var watched = Watched(conversations, context.ClientEndPoint, port);
                bool? agrees = capture is null || scenario.Expected is null || skipped is not null ? null : watched is not null && scenario.Expected.IsMetBy(watched);
                if (agrees == false)
                {
                    failures.Add(watched is null
                        ? "the capture holds no conversation for the watched connection"
                        : $"the analyser says {Describe(watched)}, the scenario expects {scenario.Expected}");
                }

                return new ScenarioResult
                {
                    Scenario = scenario,
                    Status = skipped is not null ? ScenarioStatus.Skipped : failures.Count == 0 ? ScenarioStatus.Passed : ScenarioStatus.Failed,
                    SkipReason = skipped,
                    Failures = failures,
                    Notes = notes,
                    Steps = context.Steps,
                    Captured = capture is not null,
                    Packets = ToLabPackets(packets, startNs, port),
                    CapturePath = _environment.CaptureDirectory is null ? null : capturePath,
                    Conversations = conversations,
                    Observed = watched,
                    Agrees = agrees,
                    Client = context.ClientEndPoint,
                    Server = context.ServerEndPoint,
                    Windows = windows,
                    DurationMs = Math.Round(total.Elapsed.TotalMilliseconds, 1),
                };
            }
            finally
            {
                if (capture is not null)
                {
                    await capture.DisposeAsync().ConfigureAwait(false);
                }

                if (temporary is not null)
                {
                    Directory.Delete(temporary, recursive: true);
                }
            }
        }
    }

    /// <summary>The verdict in words: <c>reset by server</c>, <c>reset by server, suspected injection</c>.</summary>
    public static string Describe(ConversationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var text = summary.ResetBy is { } side && summary.Verdict is Verdict.Reset or Verdict.Refused
            ? $"{Expectation.Name(summary.Verdict)} by {side.ToString().ToLowerInvariant()}"
            : Expectation.Name(summary.Verdict);
        return summary.SuspectedInjection ? text + ", suspected injection" : text;
    }

    private static int ReservePort(LabSite site)
    {
        // Bind to port 0 and let the kernel choose, then release it for the scenario: a port nothing else uses now.
        using var probe = site.CreateSocket(Actor.Server);
        probe.Bind(new IPEndPoint(site.ServerAddress, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static ConversationSummary? Watched(List<ConversationSummary> conversations, IPEndPoint? client, int serverPort)
    {
        foreach (var conversation in conversations)
        {
            if (conversation.Server.Port == serverPort && client is not null && conversation.Client.Port == client.Port)
            {
                return conversation;
            }
        }

        // No client port known (the connect never returned): the first conversation with the server is the one.
        foreach (var conversation in conversations)
        {
            if (client is null && conversation.Server.Port == serverPort)
            {
                return conversation;
            }
        }

        return null;
    }

    private static List<LabPacket> ToLabPackets(IReadOnlyList<TcpPacket> packets, long startNs, int serverPort)
    {
        var firstSequence = new Dictionary<(int ClientPort, bool FromClient), uint>();
        var scale = new Dictionary<(int ClientPort, bool FromClient), int>();
        var result = new List<LabPacket>(packets.Count);
        foreach (var packet in packets)
        {
            var fromClient = packet.DestinationPort == serverPort;
            var clientPort = fromClient ? packet.SourcePort : packet.DestinationPort;
            var key = (clientPort, fromClient);
            if (!firstSequence.TryGetValue(key, out var isn))
            {
                isn = packet.Sequence;
                firstSequence[key] = isn;
            }

            if (packet.Has(TcpFlags.Syn) && packet.WindowScale >= 0)
            {
                scale[key] = packet.WindowScale;
            }

            long? ack = null;
            if (packet.Has(TcpFlags.Ack) && firstSequence.TryGetValue((clientPort, !fromClient), out var peerIsn))
            {
                ack = unchecked(packet.Acknowledgment - peerIsn);
            }

            // Window scaling applies only when both SYNs carried the option, and never to the SYNs themselves.
            var window = (long)packet.Window;
            if (!packet.Has(TcpFlags.Syn) && scale.TryGetValue(key, out var shift) && scale.ContainsKey((clientPort, !fromClient)))
            {
                window <<= shift;
            }

            result.Add(new LabPacket(
                Math.Round((packet.TimestampNs - startNs) / 1e6, 1),
                fromClient,
                clientPort,
                packet.Flags,
                unchecked(packet.Sequence - isn),
                ack,
                packet.PayloadLength,
                window,
                packet.Ttl));
        }

        return result;
    }

    private static List<DocumentedDifference> Differences(Scenario scenario)
    {
        var knowledge = KnowledgeBase.Default;
        var culture = CultureInfo.GetCultureInfo("en");
        var differences = new List<DocumentedDifference>();
        foreach (var id in scenario.DifferenceIds)
        {
            if (knowledge.FindDifference(id) is not { } difference)
            {
                continue;
            }

            foreach (var note in difference.Notes)
            {
                if (note.Platform == OsPlatform.Windows && note.Evidence == Evidence.Documented
                    && knowledge.Text($"diff.{id}.windows", culture) is { } text)
                {
                    differences.Add(new DocumentedDifference(id, knowledge.Text($"diff.{id}.title", culture) ?? id, "windows", text, note.Source ?? "(no source recorded)"));
                }
            }
        }

        return differences;
    }
}
