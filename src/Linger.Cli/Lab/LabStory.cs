using System.Globalization;
using Linger.Cli.Output;
using Linger.Flows;
using Linger.Knowledge;
using Linger.Lab;

namespace Linger.Cli.Lab;

/// <summary>
/// One scenario's whole story for a terminal: what it shows, then one timeline of the calls (with both sides' TCP
/// state whenever it changes) and the packets as a text ladder, then the analyser's verdict and the documented
/// differences of other platforms.
/// </summary>
internal static class LabStory
{
    private const int ArrowWidth = 50;

    public static void Write(TextWriter o, ScenarioResult r, ConsoleOptions console)
    {
        var s = r.Scenario;
        Wrapped(o, $"{s.Id} · {s.Title}", console, string.Empty, "  ");
        foreach (var line in TextWrap.Wrap(s.Description, console.Width, string.Empty, string.Empty))
        {
            o.WriteLine(line);
        }

        o.WriteLine();
        if (r.Status == ScenarioStatus.Skipped)
        {
            o.WriteLine($"Skipped: {r.SkipReason}");
            WriteDifferences(o, r, console);
            return;
        }

        o.WriteLine($"client {r.Client?.ToString() ?? "(not connected)"}   server {r.Server}");
        o.WriteLine(r.Captured ? "Timeline (calls, TCP states when they change, and the packets as captured):" : "Timeline (calls and TCP states; packets were not captured: run as root to see them):");
        WriteTimeline(o, r, console);
        o.WriteLine();
        WriteVerdict(o, r, console);
        WriteDifferences(o, r, console);
        if (s.ExplainCode is { } code)
        {
            o.WriteLine();
            Wrapped(o, $"What {code} means on every platform, its causes and fixes: linger explain {code}", console, string.Empty, "  ");
        }

        foreach (var note in r.Notes)
        {
            o.WriteLine($"Note: {note}");
        }

        if (r.CapturePath is { } path)
        {
            o.WriteLine($"Capture: {path} (linger analyze {path})");
        }

        o.WriteLine();
        o.WriteLine(r.Status == ScenarioStatus.Passed ? "Result: passed" : "Result: FAILED");
        foreach (var failure in r.Failures)
        {
            o.WriteLine($"  - {failure}");
        }
    }

    private static void WriteTimeline(TextWriter o, ScenarioResult r, ConsoleOptions console)
    {
        foreach (var entry in LadderTimeline.Of(r))
        {
            switch (entry)
            {
                case StepEntry { Step: var step } changed:
                    var actor = step.Actor.ToString().ToLowerInvariant();
                    Wrapped(o, $"{step.Action} → {Outcome(step.Result)}", console, $"{Time(step.TimeMs)}  {actor,-7} ", new string(' ', 23));
                    if (changed.ClientState is not null || changed.ServerState is not null)
                    {
                        Wrapped(o, $"[client {step.ClientState} · server {step.ServerState}]", console, new string(' ', 15), new string(' ', 16));
                    }

                    break;
                case PacketEntry { Packet: var packet }:
                    o.WriteLine($"{Time(packet.TimeMs)}  {Arrow(packet, r)}");
                    break;
            }
        }
    }

    private static string Arrow(LabPacket p, ScenarioResult r)
    {
        var label = p.Describe();
        if (r.Client is { } client && p.ClientPort != client.Port)
        {
            label = $":{p.ClientPort} {label}";
        }

        if (label.Length > ArrowWidth - 4)
        {
            label = label[..(ArrowWidth - 4)];
        }

        var dashes = ArrowWidth - label.Length - 2;
        return p.FromClient
            ? $"client ─{label}{new string('─', dashes)}▶ server"
            : $"client ◀{new string('─', dashes)}{label}─ server";
    }

    private static string Outcome(StepResult result)
    {
        if (result.Ok)
        {
            var ok = result.Bytes is { } n ? $"ok, {n} B" : "ok";
            return result.Detail is { } detail ? $"{ok} ({detail})" : ok;
        }

        if (result.SocketError is { } error)
        {
            var errno = result.ErrnoName is { } name ? $"{name} (errno {result.Errno}), " : string.Empty;
            return $"ERROR {errno}.NET {error} ({(int)error})";
        }

        return $"FAILED: {result.Detail}";
    }

    private static void WriteVerdict(TextWriter o, ScenarioResult r, ConsoleOptions console)
    {
        var expected = r.Scenario.Expected?.ToString() ?? "none";
        if (r.Observed is not { } observed)
        {
            o.WriteLine($"Analyser: {(r.Captured ? "no conversation found for the watched connection" : "not run (no packets)")}; expected {expected}");
            return;
        }

        var agrees = r.Agrees == true ? "agrees" : "DISAGREES";
        Wrapped(o, $"Analyser: {LabRunner.Describe(observed)} (Zeek {observed.ConnState}, history {observed.History}); expected {expected}: {agrees}", console, string.Empty, "  ");
        if (observed.Verdict == Verdict.Reset)
        {
            var details = new List<string>();
            if (observed.AfterFin is { } afterFin)
            {
                details.Add(afterFin ? "the resetter had sent its FIN first" : "no FIN from the resetter before the RST");
            }

            if (observed.InReplyToData == true)
            {
                details.Add("the RST answered data sent after its FIN");
            }

            if (observed.IdleBeforeSeconds is { } idle)
            {
                details.Add(string.Create(CultureInfo.InvariantCulture, $"{idle:0.###} s silent before it"));
            }

            if (observed.SuspectedInjection)
            {
                details.Add("suspected injection: " + string.Join("; ", observed.InjectionReasons));
            }

            foreach (var line in TextWrap.Wrap(string.Join("; ", details), console.Width, "  ", "  "))
            {
                o.WriteLine(line);
            }
        }

        foreach (var (side, errors) in observed.LikelyErrors)
        {
            if (errors.Count == 0)
            {
                continue;
            }

            var names = new List<string>();
            foreach (var error in errors)
            {
                names.Add($"{error.DisplayName} ({error.Platform.ToString().ToLowerInvariant()})");
            }

            foreach (var line in TextWrap.Wrap($"the {side.ToString().ToLowerInvariant()} most likely saw: {string.Join(", ", names)}", console.Width, "  ", "  "))
            {
                o.WriteLine(line);
            }
        }
    }

    private static void WriteDifferences(TextWriter o, ScenarioResult r, ConsoleOptions console)
    {
        foreach (var d in r.Windows)
        {
            o.WriteLine();
            Wrapped(o, $"Windows (documented, not measured here): {d.Title}", console, string.Empty, "  ");
            foreach (var line in TextWrap.Wrap(d.Text, console.Width, "  ", "  "))
            {
                o.WriteLine(line);
            }

            foreach (var line in TextWrap.Wrap("Source: " + d.Source, console.Width, "  ", "  "))
            {
                o.WriteLine(line);
            }
        }
    }

    private static void Wrapped(TextWriter o, string text, ConsoleOptions console, string firstPrefix, string indent)
    {
        foreach (var line in TextWrap.Wrap(text, console.Width, firstPrefix, indent))
        {
            o.WriteLine(line);
        }
    }

    private static string Time(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms,10:0.0} ms");
}
