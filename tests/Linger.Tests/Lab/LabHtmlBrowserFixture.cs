using Linger.Cli.Lab;
using Linger.Cli.Lab.Html;
using Linger.Lab;
using Microsoft.Playwright;

namespace Linger.Tests.Lab;

/// <summary>
/// A real lab run of the loopback catalogue as root (packets captured, captures kept), written as the HTML report
/// and opened in Debian's chromium through Playwright, with every request that is not for a local file recorded and
/// refused. Also keeps a full-page screenshot and the page as test artifacts (<see cref="ScreenshotPath"/>).
/// Nothing is done when not root: the tests that use it are skipped then.
/// </summary>
public sealed class LabHtmlBrowserFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumPaths = ["/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser"];
    private readonly List<string> _networkRequests = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string? _captures;

    /// <summary>The results the page was made from.</summary>
    public IReadOnlyList<ScenarioResult> Results { get; private set; } = [];

    /// <summary>The page, loaded.</summary>
    public IPage Page { get; private set; } = null!;

    /// <summary>Requests the page made for anything but a local file (refused, so they never left the machine).</summary>
    public IReadOnlyList<string> NetworkRequests
    {
        get
        {
            lock (_networkRequests)
            {
                return [.. _networkRequests];
            }
        }
    }

    /// <summary>The folder with the artifacts: <c>lab-report.html</c> and <c>lab-report.png</c>.</summary>
    public static string ArtifactDirectory => Path.Combine(AppContext.BaseDirectory, "artifacts");

    /// <summary>The full-page screenshot.</summary>
    public static string ScreenshotPath => Path.Combine(ArtifactDirectory, "lab-report.png");

    /// <summary>The report the browser opened.</summary>
    public static string ReportPath => Path.Combine(ArtifactDirectory, "lab-report.html");

    public async Task InitializeAsync()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return;
        }

        _captures = Directory.CreateTempSubdirectory("linger-lab-html-").FullName;
        var environment = new LabEnvironment { CapturePackets = true, CaptureDirectory = _captures, AgentStart = LabCommand.AgentStart };
        var loopback = ScenarioCatalog.All.Where(s => s.Place == ScenarioPlace.Loopback);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Results = await new LabRunner(environment).RunAsync(loopback, cancellationToken: timeout.Token);

        Directory.CreateDirectory(ArtifactDirectory);
        using (var writer = new StreamWriter(ReportPath))
        {
            LabHtmlReport.Write(writer, Results, DateTimeOffset.Now);
        }

        var chromium = ChromiumPaths.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"Debian's chromium is not installed (looked for {string.Join(", ", ChromiumPaths)}); "
                + "install it with 'apt-get install -y chromium' (scripts/test.sh does).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Timeout = 60_000,

            // Root cannot use chromium's user-namespace sandbox; the page is our own file.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        Page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        Page.SetDefaultTimeout(30_000);
        await Page.RouteAsync("**/*", async route =>
        {
            var url = route.Request.Url;
            if (url.StartsWith("file:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
                return;
            }

            lock (_networkRequests)
            {
                _networkRequests.Add(url);
            }

            await route.AbortAsync();
        });
        await Page.GotoAsync(new Uri(ReportPath).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath, FullPage = true });
    }

    /// <summary>The kept capture of <paramref name="result"/>.</summary>
    public static string CaptureOf(ScenarioResult result) =>
        result.CapturePath ?? throw new InvalidOperationException($"{result.Scenario.Id} kept no capture");

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_captures is not null)
        {
            Directory.Delete(_captures, recursive: true);
        }
    }
}
