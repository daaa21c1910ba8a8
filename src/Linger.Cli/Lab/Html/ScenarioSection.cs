using System.Globalization;
using Linger.Flows;
using Linger.Knowledge;
using Linger.Lab;
using static Linger.Cli.Lab.Html.Markup;

namespace Linger.Cli.Lab.Html;

/// <summary>
/// One scenario of the report: what it shows, expected versus observed verdict, the ladder, then what the analyser
/// concluded, what the applications most likely saw, the documented differences of Windows, and the knowledge
/// base's explanation of the code the scenario is about.
/// </summary>
internal static class ScenarioSection
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    public static void Write(TextWriter o, ScenarioResult r)
    {
        var s = r.Scenario;
        var place = s.Place == ScenarioPlace.Loopback ? "loopback" : "network namespaces";
        o.WriteLine($"<section class=\"scenario\" id=\"{Anchor(s.Id)}\" data-scenario=\"{Encode(s.Id)}\" data-status=\"{r.Status.ToString().ToLowerInvariant()}\">");
        o.WriteLine($"<h2>{Encode(s.Title)} {LabHtmlReport.StatusBadge(r.Status)}</h2>");
        var duration = r.Status == ScenarioStatus.Skipped ? string.Empty : $" · ran in {Milliseconds(r.DurationMs)}";
        o.WriteLine($"<p class=\"meta\"><code>linger lab {Encode(s.Id)}</code> · {place}{Encode(duration)}</p>");
        o.WriteLine($"<p class=\"description\">{Encode(s.Description)}</p>");
        if (r.Status == ScenarioStatus.Skipped)
        {
            o.WriteLine($"<p class=\"skipped-reason\"><strong>Skipped:</strong> {Encode((r.SkipReason ?? "no reason given").TrimEnd('.'))}.</p>");
            WriteDifferences(o, r);
            WriteExplanation(o, s);
            o.WriteLine("</section>");
            return;
        }

        WriteVerdicts(o, r);
        WriteFailures(o, r);
        o.WriteLine("<figure class=\"diagram\">");
        LadderDiagram.Write(o, r);
        o.WriteLine($"<figcaption>{Encode(Caption(r))}</figcaption>");
        o.WriteLine("</figure>");
        WriteAnalysis(o, r);
        WriteLikelyErrors(o, r);
        WriteDifferences(o, r);
        WriteExplanation(o, s);
        WriteNotes(o, r);
        o.WriteLine("</section>");
    }

    private static string Caption(ScenarioResult r)
    {
        var calls = Count(r.Steps.Count, "call");
        if (!r.Captured)
        {
            return $"{calls} measured; packets were not captured. Times are milliseconds since the scenario started.";
        }

        return $"{calls} and {Count(r.Packets.Count, "packet")} on one clock, milliseconds since the scenario started. "
            + "On loopback a segment arrives when it is sent: the slant only shows direction, rows follow the order of events.";
    }

    private static void WriteVerdicts(TextWriter o, ScenarioResult r)
    {
        var expected = r.Scenario.Expected?.ToString() ?? "no verdict applies";
        string observed;
        if (r.Observed is { } summary)
        {
            observed = $"{LabRunner.Describe(summary)} (Zeek {summary.ConnState}, history {summary.History})";
        }
        else
        {
            observed = r.Captured ? "no conversation found for the watched connection" : "not run: packets were not captured";
        }

        var agreement = r.Agrees switch
        {
            true => "<span class=\"agrees-yes\">agrees</span>",
            false => "<span class=\"agrees-no\">DISAGREES</span>",
            null => "nothing to compare",
        };
        o.WriteLine("<dl class=\"verdicts\">");
        o.WriteLine($"<dt>expected verdict</dt><dd>{Encode(expected)}</dd>");
        o.WriteLine($"<dt>analyser's verdict</dt><dd>{Encode(observed)}</dd>");
        o.WriteLine($"<dt>agreement</dt><dd>{agreement}</dd>");
        o.WriteLine("</dl>");
    }

    private static void WriteFailures(TextWriter o, ScenarioResult r)
    {
        if (r.Failures.Count == 0)
        {
            return;
        }

        o.WriteLine("<div class=\"panel failure\"><strong>Why it failed</strong><ul class=\"plain\">");
        foreach (var failure in r.Failures)
        {
            o.WriteLine($"<li>{Encode(failure)}</li>");
        }

        o.WriteLine("</ul></div>");
    }

    private static void WriteAnalysis(TextWriter o, ScenarioResult r)
    {
        if (r.Observed is not { } observed || observed.Verdict != Verdict.Reset)
        {
            return;
        }

        var facts = new List<string>();
        if (observed.ResetBy is { } by)
        {
            facts.Add($"The {by.ToString().ToLowerInvariant()} sent the RST.");
        }

        if (observed.AfterFin is { } afterFin)
        {
            facts.Add(afterFin ? "The resetting side had sent its FIN first." : "The resetting side sent no FIN before the RST.");
        }

        if (observed.InReplyToData == true)
        {
            facts.Add("The RST answered data the peer sent after the resetter's FIN.");
        }

        if (observed.IdleBeforeSeconds is { } idle)
        {
            facts.Add(string.Create(CultureInfo.InvariantCulture, $"{idle:0.###} s of silence before it."));
        }

        o.WriteLine("<h3>What the analyser concluded</h3>");
        o.WriteLine($"<p>{Encode(string.Join(' ', facts))}</p>");
        if (observed.SuspectedInjection)
        {
            o.WriteLine("<div class=\"panel failure\"><strong>The RST looks injected by a third party</strong><ul class=\"plain\">");
            foreach (var reason in observed.InjectionReasons)
            {
                o.WriteLine($"<li>{Encode(reason)}</li>");
            }

            o.WriteLine("</ul></div>");
        }
    }

    private static void WriteLikelyErrors(TextWriter o, ScenarioResult r)
    {
        if (r.Observed is not { } observed)
        {
            return;
        }

        var rows = new List<string>();
        foreach (var (side, errors) in observed.LikelyErrors)
        {
            var byPlatform = new SortedDictionary<OsPlatform, List<string>>();
            foreach (var error in errors)
            {
                if (!byPlatform.TryGetValue(error.Platform, out var names))
                {
                    names = [];
                    byPlatform[error.Platform] = names;
                }

                names.Add(error.DisplayName);
            }

            foreach (var (platform, names) in byPlatform)
            {
                rows.Add($"<tr><td>{Encode(side.ToString().ToLowerInvariant())}</td><td>{Encode(PlatformName(platform))}</td><td class=\"mono\">{Encode(string.Join(", ", names))}</td></tr>");
            }
        }

        if (rows.Count == 0)
        {
            return;
        }

        o.WriteLine("<h3>The application most likely saw</h3>");
        o.WriteLine("<p class=\"source\">The analyser's reading of the packets alone, for each platform; the calls above are what Linux really returned in this run.</p>");
        o.WriteLine("<table class=\"saw\"><thead><tr><th>side</th><th>platform</th><th>error</th></tr></thead><tbody>");
        foreach (var row in rows)
        {
            o.WriteLine(row);
        }

        o.WriteLine("</tbody></table>");
    }

    private static void WriteDifferences(TextWriter o, ScenarioResult r)
    {
        if (r.Windows.Count == 0)
        {
            return;
        }

        o.WriteLine("<h3>Windows</h3>");
        foreach (var d in r.Windows)
        {
            o.WriteLine($"<div class=\"panel documented\" data-difference=\"{Encode(d.Id)}\">");
            o.WriteLine($"<p><span class=\"tag\">documented</span><strong>{Encode(d.Title)}</strong></p>");
            o.WriteLine($"<p>{Encode(d.Text)}</p>");
            o.WriteLine($"<p class=\"source\">Source: {Encode(d.Source)}</p>");
            o.WriteLine("</div>");
        }
    }

    private static void WriteExplanation(TextWriter o, Scenario s)
    {
        if (s.ExplainCode is not { } code)
        {
            return;
        }

        var knowledge = KnowledgeBase.Default;
        var entries = knowledge.FindByName(code);
        o.WriteLine($"<h3>What {Encode(code)} means</h3>");
        if (entries.Count == 0)
        {
            o.WriteLine($"<p>The knowledge base has no entry for {Encode(code)}.</p>");
            return;
        }

        var entry = entries[0];
        o.WriteLine($"<div class=\"panel\" data-explain=\"{Encode(entry.Id)}\">");
        o.WriteLine($"<p><strong>{Encode(knowledge.Title(entry, English))}</strong></p>");
        var summary = knowledge.Summary(entry, English);
        if (summary.Length > 0)
        {
            o.WriteLine($"<p>{Encode(summary)}</p>");
        }

        o.WriteLine($"<p class=\"source\">Causes, fixes and every platform's name for it: <code>linger explain {Encode(code)}</code></p>");
        o.WriteLine("</div>");
    }

    private static void WriteNotes(TextWriter o, ScenarioResult r)
    {
        if (r.Notes.Count == 0 && r.CapturePath is null)
        {
            return;
        }

        o.WriteLine("<ul class=\"plain source\">");
        foreach (var note in r.Notes)
        {
            o.WriteLine($"<li>Note: {Encode(note)}</li>");
        }

        if (r.CapturePath is { } path)
        {
            o.WriteLine($"<li>Capture: <code>{Encode(path)}</code> (<code>linger analyze {Encode(path)}</code>)</li>");
        }

        o.WriteLine("</ul>");
    }

    private static string PlatformName(OsPlatform platform) => platform switch
    {
        OsPlatform.Linux => "Linux",
        OsPlatform.MacOS => "macOS",
        OsPlatform.Windows => "Windows",
        _ => "any",
    };
}
