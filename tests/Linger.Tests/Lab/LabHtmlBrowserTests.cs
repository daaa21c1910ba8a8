using System.Buffers.Binary;
using System.Globalization;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Tests.Wire.Support;

namespace Linger.Tests.Lab;

/// <summary>
/// <c>linger lab --html</c> as a reader sees it: the report of a real loopback run opened in headless chromium.
/// The packets each ladder must show are read from the run's own captures with tshark, not from the report.
/// </summary>
public sealed class LabHtmlBrowserTests(LabHtmlBrowserFixture report) : IClassFixture<LabHtmlBrowserFixture>
{
    [RootFact]
    public async Task Every_scenario_that_ran_has_one_visible_ladder_diagram()
    {
        Assert.NotEmpty(report.Results);
        foreach (var result in Ran())
        {
            var diagram = report.Page.Locator($"section[data-scenario='{result.Scenario.Id}'] svg.ladder");
            Assert.Equal(1, await diagram.CountAsync());
            Assert.True(await diagram.IsVisibleAsync(), $"{result.Scenario.Id}: the diagram is not visible");
            var box = await diagram.BoundingBoxAsync();
            Assert.True(box is { Width: > 0, Height: > 0 }, $"{result.Scenario.Id}: the diagram has an empty bounding box");
        }
    }

    [RootFact]
    public async Task Each_ladder_draws_one_arrow_per_packet_in_the_scenarios_capture()
    {
        var total = 0;
        foreach (var result in Captured())
        {
            var frames = await Tshark.FieldsAsync(LabHtmlBrowserFixture.CaptureOf(result), null, "frame.number");
            var arrows = report.Page.Locator($"section[data-scenario='{result.Scenario.Id}'] svg.ladder [data-packet]");
            Assert.Equal(frames.Length, await arrows.CountAsync());
            total += frames.Length;
        }

        Assert.True(total > 0, "the catalogue's captures hold no packet at all");
    }

    [RootFact]
    public async Task Each_arrow_leaves_the_lifeline_of_the_side_that_sent_the_packet_with_its_flags_in_the_label()
    {
        foreach (var result in Captured())
        {
            var serverPort = result.Server!.Port;
            var frames = await Tshark.FieldsAsync(LabHtmlBrowserFixture.CaptureOf(result), null, "tcp.srcport", "tcp.flags.syn", "tcp.flags.fin", "tcp.flags.reset");
            var expected = frames.Select(f => Arrow(Tshark.Int(f[0]) == serverPort ? "server" : "client", IsSet(f[1]), IsSet(f[2]), IsSet(f[3]))).ToList();

            var drawn = await report.Page.Locator($"section[data-scenario='{result.Scenario.Id}'] svg.ladder").EvaluateAsync<string[]>("""
                svg => {
                  const lifeline = side => parseFloat(svg.querySelector(`[data-actor="${side}"] line.lifeline`).getAttribute('x1'));
                  const near = (a, b) => Math.abs(a - b) < 0.5;
                  return Array.from(svg.querySelectorAll('[data-packet]')).map(g => {
                    const x = parseFloat(g.querySelector('line').getAttribute('x1'));
                    const from = near(x, lifeline('client')) ? 'client' : near(x, lifeline('server')) ? 'server' : 'neither';
                    return from + '|' + g.querySelector('text.label').textContent;
                  });
                }
                """);
            var seen = drawn.Select(d =>
            {
                var (from, label) = (d[..d.IndexOf('|', StringComparison.Ordinal)], d[(d.IndexOf('|', StringComparison.Ordinal) + 1)..]);
                var words = label.Split(' ');
                return Arrow(from, words.Contains("SYN"), words.Contains("FIN"), words.Contains("RST"));
            }).ToList();
            Assert.Equal(expected, seen);
        }
    }

    [RootFact]
    public async Task Packets_with_RST_are_drawn_as_red_arrows()
    {
        var scenariosWithResets = 0;
        foreach (var result in Captured())
        {
            var resets = await Tshark.FieldsAsync(LabHtmlBrowserFixture.CaptureOf(result), "tcp.flags.reset == 1", "frame.number");
            var colours = await report.Page.Locator($"section[data-scenario='{result.Scenario.Id}'] svg.ladder [data-packet]").EvaluateAllAsync<string[]>("""
                arrows => arrows
                  .filter(g => g.querySelector('text.label').textContent.split(' ').includes('RST'))
                  .map(g => getComputedStyle(g.querySelector('line')).stroke)
                """);
            Assert.Equal(resets.Length, colours.Length);
            foreach (var colour in colours)
            {
                var (r, g, b) = Rgb(colour);
                Assert.True(r >= 150 && g <= 90 && b <= 90, $"{result.Scenario.Id}: a RST arrow is drawn in {colour}, not red");
            }

            scenariosWithResets += resets.Length > 0 ? 1 : 0;
        }

        // The catalogue always holds resets (abortive-close); a page without any red arrow proves nothing.
        Assert.True(scenariosWithResets > 0, "no scenario of the catalogue captured a RST");
    }

    [RootFact]
    public void The_page_requests_nothing_from_the_network()
    {
        Assert.NotEmpty(report.Results);
        Assert.Empty(report.NetworkRequests);
    }

    [RootFact]
    public async Task The_summary_links_to_every_scenarios_section()
    {
        foreach (var result in report.Results)
        {
            var href = await report.Page.Locator($"table.summary tr[data-scenario='{result.Scenario.Id}'] a").GetAttributeAsync("href");
            Assert.NotNull(href);
            var target = report.Page.Locator(href);
            Assert.Equal(result.Scenario.Id, await target.GetAttributeAsync("data-scenario"));
        }
    }

    [RootFact]
    public void A_full_page_screenshot_is_kept_as_a_test_artifact()
    {
        Assert.NotEmpty(report.Results);
        var png = File.ReadAllBytes(LabHtmlBrowserFixture.ScreenshotPath);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var width = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));
        var height = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4));
        Assert.True(width >= 1300, $"the screenshot is {width} px wide");

        // Full page: taller than the 900 px window, as every scenario's diagram is in it.
        Assert.True(height > 900 * 2, $"the screenshot is only {height} px high");
    }

    private IEnumerable<ScenarioResult> Ran() => report.Results.Where(r => r.Status != ScenarioStatus.Skipped);

    /// <summary>The runs whose capture was kept (a scenario whose setup failed has none).</summary>
    private IEnumerable<ScenarioResult> Captured() => Ran().Where(r => r.CapturePath is not null);

    private static string Arrow(string from, bool syn, bool fin, bool rst) =>
        $"{from}{(syn ? " SYN" : string.Empty)}{(fin ? " FIN" : string.Empty)}{(rst ? " RST" : string.Empty)}";

    private static bool IsSet(string field) => field is "1" or "True" or "true";

    private static (int R, int G, int B) Rgb(string css)
    {
        // getComputedStyle gives "rgb(r, g, b)".
        var parts = css[(css.IndexOf('(', StringComparison.Ordinal) + 1)..css.IndexOf(')', StringComparison.Ordinal)].Split(',');
        return (Parse(parts[0]), Parse(parts[1]), Parse(parts[2]));

        static int Parse(string s) => (int)double.Parse(s.Trim(), CultureInfo.InvariantCulture);
    }
}
