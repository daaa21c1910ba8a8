using System.Xml;
using System.Xml.Linq;
using Linger.Cli.Lab;
using Linger.Cli.Lab.Html;
using Linger.Lab;

namespace Linger.Tests.Lab;

/// <summary>
/// The HTML report of a real run without packet capture (what anyone can run without root): the loopback catalogue,
/// plus a scenario whose every text is markup and a scenario that is skipped. The page is parsed as XML.
/// </summary>
public sealed class LabHtmlPageFixture : IAsyncLifetime
{
    /// <summary>The results the page was made from: the catalogue's, then <see cref="LabHtmlMarkupScenario"/>, then <see cref="LabHtmlSkippedScenario"/>.</summary>
    public IReadOnlyList<ScenarioResult> Results { get; private set; } = [];

    /// <summary>The page as written.</summary>
    public string Html { get; private set; } = string.Empty;

    /// <summary>The page parsed as XML.</summary>
    public XDocument Document { get; private set; } = new();

    /// <summary>The section of the scenario with <paramref name="id"/>.</summary>
    public XElement Section(string id) =>
        Document.Descendants(Xhtml + "section").Single(s => (string?)s.Attribute("data-scenario") == id);

    /// <summary>The page's namespace (none: elements of an HTML page parsed as XML have no namespace).</summary>
    public static XNamespace Xhtml => XNamespace.None;

    /// <summary>Inline SVG's namespace.</summary>
    public static XNamespace Svg => "http://www.w3.org/2000/svg";

    public async Task InitializeAsync()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var environment = new LabEnvironment { CapturePackets = false, AgentStart = LabCommand.AgentStart };
        var scenarios = ScenarioCatalog.All.Where(s => s.Place == ScenarioPlace.Loopback).Append(new LabHtmlMarkupScenario()).Append(new LabHtmlSkippedScenario());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Results = await new LabRunner(environment).RunAsync(scenarios, cancellationToken: timeout.Token);
        using var writer = new StringWriter();
        LabHtmlReport.Write(writer, Results, DateTimeOffset.Now);
        Html = writer.ToString();
        Directory.CreateDirectory(LabHtmlBrowserFixture.ArtifactDirectory);
        await File.WriteAllTextAsync(Path.Combine(LabHtmlBrowserFixture.ArtifactDirectory, "lab-report-without-packets.html"), Html);
        using var reader = XmlReader.Create(new StringReader(Html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        Document = XDocument.Load(reader);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>A scenario whose id, texts, calls and results are all markup, as a careless or hostile author might write them.</summary>
public sealed class LabHtmlMarkupScenario : Scenario
{
    /// <summary>Markup that must reach the reader as text: a script, an element, entities, quotes, a CDATA end.</summary>
    public const string Markup = "<script>alert(\"lab\")</script> & <b>bold</b> &amp; 'quoted' ]]> café";

    public override string Id => "markup-<b>&\"'";

    public override string Title => "title " + Markup;

    public override string Description => "description " + Markup;

    public override Expectation? Expected => null;

    public override string? ExplainCode => "<no-such-code>";

    public override Task RunAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Record(Actor.Client, "client " + Markup, StepResult.Failed("failed " + Markup));
        context.Record(Actor.Server, "server " + Markup, StepResult.Success(3, "detail " + Markup));
        context.Record(Actor.Network, "network " + Markup, StepResult.Success());
        context.Expect(false, "failure " + Markup);
        return Task.CompletedTask;
    }
}

/// <summary>A scenario that cannot run anywhere, with a reason that is markup too.</summary>
public sealed class LabHtmlSkippedScenario : Scenario
{
    public const string Reason = "it needs a <unicorn> & a rainbow";

    public override string Id => "skipped-here";

    public override string Title => "A scenario that cannot run here";

    public override string Description => "Shows how a skipped scenario is reported.";

    public override Expectation? Expected => null;

    public override string? SkipReason(LabEnvironment environment) => Reason;

    public override Task RunAsync(ScenarioContext context) => throw new InvalidOperationException("a skipped scenario must not run");
}
