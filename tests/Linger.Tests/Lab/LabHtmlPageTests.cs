using System.Globalization;
using System.Xml.Linq;
using Linger.Knowledge;
using Linger.Lab;
using Linger.Tests.Support;
using static Linger.Tests.Lab.LabHtmlPageFixture;

namespace Linger.Tests.Lab;

/// <summary>
/// The page <c>linger lab --html</c> writes, read as a document: well-formed, every text encoded, and each part of
/// a scenario's story where a reader looks for it. The run behind it has no packets (no root needed).
/// </summary>
public sealed class LabHtmlPageTests(LabHtmlPageFixture page) : IClassFixture<LabHtmlPageFixture>
{
    [LinuxFact]
    public void The_whole_page_is_well_formed_and_each_scenario_that_ran_has_one_svg_diagram()
    {
        // Parsing happened in the fixture: XDocument.Load throws on anything ill-formed.
        Assert.Equal("html", page.Document.Root?.Name.LocalName);
        foreach (var result in page.Results)
        {
            var diagrams = page.Section(result.Scenario.Id).Descendants(Svg + "svg").ToList();
            Assert.Equal(result.Status == ScenarioStatus.Skipped ? 0 : 1, diagrams.Count);
        }
    }

    [LinuxFact]
    public void Scenario_text_that_is_markup_reaches_the_reader_as_text()
    {
        var section = page.Section(new LabHtmlMarkupScenario().Id);
        Assert.DoesNotContain(page.Document.Descendants(), e => e.Name.LocalName is "script" or "b" or "unicorn");
        var text = section.Value;
        Assert.Contains("title " + LabHtmlMarkupScenario.Markup, text, StringComparison.Ordinal);
        Assert.Contains("description " + LabHtmlMarkupScenario.Markup, text, StringComparison.Ordinal);
        Assert.Contains("failure " + LabHtmlMarkupScenario.Markup, text, StringComparison.Ordinal);
        Assert.Contains("<no-such-code>", text, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void Each_call_in_the_diagram_shows_its_action_and_result_exactly_as_recorded()
    {
        var result = page.Results.Single(r => r.Scenario is LabHtmlMarkupScenario);
        var steps = page.Section(result.Scenario.Id).Descendants(Svg + "g").Where(g => Has(g, "step")).ToList();
        Assert.Equal(result.Steps.Count, steps.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            var recorded = result.Steps[i];
            Assert.Equal(recorded.Actor.ToString().ToLowerInvariant(), (string?)steps[i].Attribute("data-actor"));
            Assert.Equal(recorded.Action, (string?)steps[i].Attribute("data-action"));

            // SVG text does not wrap: the diagram breaks long texts into lines at spaces.
            Assert.Equal(recorded.Action, Lines(steps[i], "call"));
            if (recorded.Result.Detail is { } detail)
            {
                Assert.Contains(detail, Lines(steps[i], "detail") + Lines(steps[i], "error"), StringComparison.Ordinal);
            }
        }
    }

    [LinuxFact]
    public void Failed_calls_are_marked_as_errors_and_successful_ones_as_ok()
    {
        foreach (var result in page.Results.Where(r => r.Status != ScenarioStatus.Skipped))
        {
            var steps = page.Section(result.Scenario.Id).Descendants(Svg + "g").Where(g => Has(g, "step")).ToList();
            Assert.Equal(result.Steps.Count, steps.Count);
            for (var i = 0; i < steps.Count; i++)
            {
                var r = result.Steps[i].Result;
                Assert.Equal(r.Ok, Has(steps[i], "ok"));
                if (r.SocketError is { } error && r.ErrnoName is not null)
                {
                    // The errno name and .NET's SocketError with its number, as the reader would search for them.
                    var shown = steps[i].Value;
                    Assert.Contains($"{r.ErrnoName} (errno {r.Errno})", shown, StringComparison.Ordinal);
                    Assert.Contains($"{error} ({(int)error})", shown, StringComparison.Ordinal);
                }
            }
        }
    }

    [LinuxFact]
    public void Without_packets_each_ladder_still_draws_the_calls_and_both_starting_states_and_says_packets_were_not_captured()
    {
        foreach (var result in page.Results.Where(r => r.Status != ScenarioStatus.Skipped && r.Steps.Count > 0))
        {
            var svg = page.Section(result.Scenario.Id).Descendants(Svg + "svg").Single();
            Assert.DoesNotContain(svg.Descendants(), e => e.Attribute("data-packet") is not null);
            Assert.Contains("not captured", svg.Value, StringComparison.Ordinal);

            var first = svg.Descendants(Svg + "g").First(g => Has(g, "step"));
            var states = first.Descendants(Svg + "g").Where(g => Has(g, "state")).ToDictionary(g => (string)g.Attribute("data-side")!, g => (string)g.Attribute("data-state")!);
            Assert.Equal(result.Steps[0].ClientState.State, states["client"]);
            Assert.Equal(result.Steps[0].ServerState.State, states["server"]);
        }
    }

    [LinuxFact]
    public void A_state_is_drawn_again_only_when_it_changed()
    {
        foreach (var result in page.Results.Where(r => r.Steps.Count > 0))
        {
            var drawn = page.Section(result.Scenario.Id).Descendants(Svg + "g").Where(g => Has(g, "state") && (string?)g.Attribute("data-side") == "client").Count();
            var changes = 1;
            for (var i = 1; i < result.Steps.Count; i++)
            {
                changes += result.Steps[i].ClientState != result.Steps[i - 1].ClientState ? 1 : 0;
            }

            Assert.Equal(changes, drawn);
        }
    }

    [LinuxFact]
    public void A_skipped_scenario_says_why_and_draws_no_diagram()
    {
        var section = page.Section(new LabHtmlSkippedScenario().Id);
        Assert.Equal("skipped", (string?)section.Attribute("data-status"));
        Assert.Contains("Skipped: " + LabHtmlSkippedScenario.Reason, section.Value, StringComparison.Ordinal);
        Assert.Empty(section.Descendants(Svg + "svg"));
    }

    [LinuxFact]
    public void Windows_differences_are_labelled_documented_with_their_source()
    {
        var shown = 0;
        foreach (var result in page.Results)
        {
            foreach (var difference in result.Windows)
            {
                var panel = page.Section(result.Scenario.Id).Descendants().Single(e => (string?)e.Attribute("data-difference") == difference.Id);
                Assert.Contains("documented", panel.Value, StringComparison.Ordinal);
                Assert.Contains(difference.Text, panel.Value, StringComparison.Ordinal);
                Assert.Contains("Source: " + difference.Source, panel.Value, StringComparison.Ordinal);
                shown++;
            }
        }

        Assert.True(shown > 0, "no scenario of the catalogue has a documented Windows difference");
    }

    [LinuxFact]
    public void The_knowledge_base_explains_each_scenarios_code_in_english()
    {
        var english = CultureInfo.GetCultureInfo("en");
        var explained = 0;
        foreach (var result in page.Results.Where(r => r.Scenario.ExplainCode is not null))
        {
            var entries = KnowledgeBase.Default.FindByName(result.Scenario.ExplainCode!);
            if (entries.Count == 0)
            {
                continue;
            }

            var panel = page.Section(result.Scenario.Id).Descendants().Single(e => e.Attribute("data-explain") is not null);
            Assert.Contains(KnowledgeBase.Default.Title(entries[0], english), panel.Value, StringComparison.Ordinal);
            Assert.Contains(KnowledgeBase.Default.Summary(entries[0], english), panel.Value, StringComparison.Ordinal);
            explained++;
        }

        Assert.True(explained > 0, "no scenario of the catalogue names a code the knowledge base knows");
    }

    [LinuxFact]
    public void The_summary_table_has_one_row_per_scenario_in_run_order()
    {
        var rows = page.Document.Descendants("table").Single(t => Has(t, "summary")).Descendants("tr").Where(tr => tr.Attribute("data-scenario") is not null);
        Assert.Equal(page.Results.Select(r => r.Scenario.Id), rows.Select(r => (string)r.Attribute("data-scenario")!));
    }

    [LinuxFact]
    public void The_command_writes_the_report_to_the_file_given()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("linger-lab-html-").FullName, "report.html");
        try
        {
            var run = LingerRunner.Run("lab", "refused", "--no-capture", "--html", file);
            Assert.Equal(0, run.ExitCode);
            Assert.Contains(file, run.Stdout, StringComparison.Ordinal);
            using var reader = System.Xml.XmlReader.Create(file, new System.Xml.XmlReaderSettings { DtdProcessing = System.Xml.DtdProcessing.Ignore });
            var document = XDocument.Load(reader);
            Assert.Single(document.Descendants("section"), s => (string?)s.Attribute("data-scenario") == "refused");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [LinuxFact]
    public void A_report_path_in_a_missing_directory_is_refused_before_anything_runs()
    {
        var file = Path.Combine(Path.GetTempPath(), "linger-no-such-directory-" + Guid.NewGuid().ToString("N"), "report.html");
        var run = LingerRunner.Run("lab", "refused", "--no-capture", "--html", file);
        Assert.Equal(3, run.ExitCode);
        Assert.Contains(Path.GetDirectoryName(file)!, run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.False(File.Exists(file));
    }

    private static bool Has(XElement element, string cssClass) =>
        ((string?)element.Attribute("class"))?.Split(' ').Contains(cssClass) == true;

    private static string Lines(XElement step, string kind) =>
        string.Join(' ', step.Descendants(Svg + "tspan").Where(t => Has(t, kind)).Select(t => t.Value));
}
