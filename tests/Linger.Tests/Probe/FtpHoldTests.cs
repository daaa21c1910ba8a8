using Linger.Probe;
using Linger.Probe.Ftp;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary><c>linger probe ftp --hold</c> against vsftpd's idle_session_timeout (see <see cref="FtpTestServer"/>).</summary>
public sealed class FtpHoldTests
{
    private static async Task<ProbeReport> ProbeAsync(FtpTestServer server, TimeSpan hold)
    {
        var options = new FtpProbeOptions
        {
            Target = ProbeTarget.Parse(server.Target, 21),
            User = server.User,
            Password = server.Password,
            Size = 0,
            Hold = hold,
            Timeout = TimeSpan.FromSeconds(5),
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await new FtpProbe(options).RunAsync(new ProbeSession("ftp", server.Target), cts.Token);
    }

    private static string Transcript(ProbeReport report) => string.Join('\n', report.Transcript.Select(t => $"{t.Mark} {t.Text}"));

    [RootFact]
    public async Task The_idle_session_timeout_ends_the_hold_with_421_and_the_server_idle_timeout_finding()
    {
        using var server = FtpTestServer.Start(["idle_session_timeout=2"]);
        var report = await ProbeAsync(server, TimeSpan.FromSeconds(20));

        Assert.Equal("hold", report.FailedStage?.Name);
        Assert.Equal(ProbeExitCodes.All["hold"], ProbeExitCodes.For(report));
        Assert.Contains(report.Transcript, t => t.Text == "421 Timeout.");
        var finding = Assert.Single(report.Findings, f => f.Id == "ftp-idle-timeout");
        Assert.Equal("hold", finding.Stage);
        Assert.Contains("\"421 Timeout.\", then closed the connection (FIN)", finding.Summary, StringComparison.Ordinal);
        Assert.Equal("421", finding.ExplainCode);
        Assert.Equal(Linger.Knowledge.KnowledgeBase.Default.Text("cause.server-idle-timeout.title", System.Globalization.CultureInfo.GetCultureInfo("en")), finding.LikelyCause);
        Assert.DoesNotContain(report.Stages, s => s.Name == "pasv");
    }

    [RootFact]
    public async Task A_hold_shorter_than_the_idle_timeout_passes_and_the_probe_goes_on()
    {
        using var server = FtpTestServer.Start(["idle_session_timeout=30"]);
        var report = await ProbeAsync(server, TimeSpan.FromSeconds(1));

        Assert.True(report.FailedStage is null, Transcript(report));
        Assert.Equal(["login", "hold", "pasv", "list"], report.Stages.Select(s => s.Name).Where(n => n is "login" or "hold" or "pasv" or "list"));
        Assert.Empty(report.Findings);
    }
}
