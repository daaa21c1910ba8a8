using System.CommandLine;
using System.Globalization;
using Linger.Cli.Capture;
using Linger.Cli.Output;
using Linger.Probe;
using Linger.Probe.Tcp;
using Linger.Wire.Live;

namespace Linger.Cli.Probe;

/// <summary>
/// <c>linger probe tcp HOST:PORT [--hold T] [--concurrency N] [--capture]</c>: resolve, connect to each address,
/// banner, and on request an idle hold, many connections at once, and the analyser's verdict on the probe's packets.
/// </summary>
internal static class ProbeTcpCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        var target = new Argument<string>("target") { Description = "HOST:PORT ([v6]:PORT for an IPv6 address)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (schema linger.probe/1) instead of the transcript." };
        var timeout = new Option<string>("--timeout") { Description = "How long resolving and each connect may take: 5 (seconds), 5s, 500ms. Default 5s.", DefaultValueFactory = _ => "5s", HelpName = "t" };
        var bannerWait = new Option<string>("--banner-wait") { Description = "How long to wait for the server to speak first. Default 2s.", DefaultValueFactory = _ => "2s", HelpName = "t" };
        var hold = new Option<string?>("--hold") { Description = "Keep the connection idle this long (30s, 5m) and report when and how it ended: FIN, RST, or still open.", HelpName = "t" };
        var concurrency = new Option<int>("--concurrency") { Description = $"Open this many connections at once (1-{TcpProbe.MaxConcurrency}) and report where refusals, resets or timeouts start.", HelpName = "n" };
        var capture = new Option<bool>("--capture") { Description = "Capture the probe's own packets (Linux, root or CAP_NET_RAW) and report the analyser's verdict per connection." };
        var command = new Command("tcp", "Probe a TCP port: every address, the connect, the banner; --hold, --concurrency, --capture. Exit codes: 0 every stage passed, 2 usage, 4 capture not permitted, 10 resolve, 11 connect, 12 banner, 22 hold, 23 concurrency.")
        {
            target, json, timeout, bannerWait, hold, concurrency, capture,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            ProbeTarget parsed;
            try
            {
                parsed = ProbeTarget.Parse(parse.GetValue(target) ?? string.Empty, 0);
            }
            catch (FormatException ex)
            {
                throw new UsageException($"bad target: {ex.Message}");
            }

            if (parsed.Port == 0)
            {
                throw new UsageException($"bad target: '{parsed.Host}' has no port; write HOST:PORT, e.g. {parsed.Host}:443");
            }

            var n = parse.GetValue(concurrency);
            if (n is < 0 or > TcpProbe.MaxConcurrency)
            {
                throw new UsageException($"--concurrency must be between 1 and {TcpProbe.MaxConcurrency}.");
            }

            var options = new TcpProbeOptions
            {
                Target = parsed,
                ConnectTimeout = Duration(parse.GetValue(timeout), "--timeout"),
                BannerWait = Duration(parse.GetValue(bannerWait), "--banner-wait"),
                Hold = parse.GetValue(hold) is { } h ? Duration(h, "--hold") : null,
                Concurrency = n,
                Capture = parse.GetValue(capture),
            };
            return RunAsync(options, parse.GetValue(target)!, parse.GetValue(json), stdout, stderr, console, rawStdout, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(TcpProbeOptions options, string given, bool json, TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout, CancellationToken cancellationToken)
    {
        var output = new ProbeOutput(stdout, console, json);
        var session = new ProbeSession("tcp", given, output.Line);
        ProbeReport report;
        try
        {
            report = await new TcpProbe(options).RunAsync(session, cancellationToken).ConfigureAwait(false);
        }
        catch (CapturePermissionException ex)
        {
            stdout.Flush();
            stderr.WriteLine($"linger: --capture: {ex.Message}");
            return ExitCodes.Permission;
        }
        catch (CaptureInterfaceException ex)
        {
            stdout.Flush();
            stderr.WriteLine($"linger: --capture: {ex.Message}");
            return ExitCodes.Input;
        }

        return output.Finish(report, rawStdout);
    }

    /// <summary>
    /// The longest duration a probe option takes. A stage waits up to a sum or a multiple of them (hold plus two
    /// timeouts, a timeout per address), and a timer cannot wait past 49 days: beyond that the run would end in an
    /// internal error instead of a usage error.
    /// </summary>
    internal static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    /// <summary>A probe's duration option: <paramref name="text"/> read by <see cref="DurationParser"/>, at most <see cref="MaxDuration"/>.</summary>
    /// <exception cref="UsageException">It is not a duration, or a longer one.</exception>
    internal static TimeSpan Duration(string? text, string option)
    {
        if (!DurationParser.TryParse(text, out var value))
        {
            throw new UsageException($"{option} '{text}' is not a duration; write 30, 30s, 500ms, 5m or 1h.");
        }

        return value <= MaxDuration
            ? value
            : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{option} '{text}' is longer than a probe waits; give at most {MaxDuration.TotalHours:0}h."));
    }
}
