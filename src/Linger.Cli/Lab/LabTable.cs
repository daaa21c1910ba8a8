using System.Globalization;
using System.Text;
using Linger.Cli.Output;
using Linger.Lab;

namespace Linger.Cli.Lab;

/// <summary>The catalogue's summary table, written a row at a time as scenarios finish (its own progress).</summary>
internal sealed class LabTable(TextWriter o, ConsoleOptions console)
{
    private static readonly CompositeFormat Format = CompositeFormat.Parse("{0,-30} {1,-19} {2,-19} {3,-22} {4,-6} {5}");

    public static void WriteList(TextWriter o, IReadOnlyList<Scenario> scenarios)
    {
        o.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-30} {1,-10} {2}", "scenario", "where", "what it shows"));
        foreach (var s in scenarios)
        {
            var place = s.Place == ScenarioPlace.Loopback ? "loopback" : "netns+root";
            o.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-30} {1,-10} {2}", s.Id, place, s.Title));
        }

        o.WriteLine();
        o.WriteLine("linger lab runs the loopback scenarios; --all adds the namespace ones; linger lab ID tells one in full.");
    }

    public void WriteHeader()
    {
        o.WriteLine(string.Format(CultureInfo.InvariantCulture, Format, "scenario", "client saw", "server saw", "verdict (analyser)", "agrees", "status"));
        o.WriteLine(new string('─', Math.Min(console.Width + 20, 106)));
    }

    public void WriteRow(ScenarioResult r)
    {
        o.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            Format,
            r.Scenario.Id,
            Cut(LabSummary.Saw(r, Actor.Client), 19),
            Cut(LabSummary.Saw(r, Actor.Server), 19),
            Cut(LabSummary.Verdict(r), 22),
            LabSummary.Agrees(r),
            LabSummary.Status(r)));
        if (r.Status == ScenarioStatus.Skipped)
        {
            o.WriteLine($"{string.Empty,31}skipped: {r.SkipReason}");
        }

        foreach (var failure in r.Failures)
        {
            o.WriteLine($"{string.Empty,31}! {failure}");
        }

        o.Flush();
    }

    public void WriteFooter(IReadOnlyList<ScenarioResult> results)
    {
        int passed = 0, failed = 0, skipped = 0;
        double ms = 0;
        foreach (var r in results)
        {
            ms += r.DurationMs;
            switch (r.Status)
            {
                case ScenarioStatus.Passed: passed++; break;
                case ScenarioStatus.Failed: failed++; break;
                default: skipped++; break;
            }
        }

        o.WriteLine();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{passed} passed, {failed} failed, {skipped} skipped in {ms / 1000:0.0} s. 'linger lab ID' tells a scenario's whole story."));
    }

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
