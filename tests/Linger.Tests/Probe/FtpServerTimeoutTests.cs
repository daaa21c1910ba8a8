using Linger.Probe;
using Linger.Probe.Ftp;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>
/// The server's timeouts, met for real: <c>--hold</c> against vsftpd's idle_session_timeout and <c>--stall</c> against
/// its data_connection_timeout (see <see cref="FtpTestServer"/>).
/// </summary>
public sealed class FtpServerTimeoutTests
{
    private static Task<ProbeReport> ProbeAsync(FtpTestServer server, TimeSpan? hold = null, TimeSpan? stall = null, long size = 1 << 20) =>
        FtpProbeRunner.ProbeAsync(server, TimeSpan.FromSeconds(60), o => o with { Size = stall is null ? 0 : size, Hold = hold, Stall = stall });

    /// <summary>The stage failed with its exit code, the server's reply is in the transcript, and the one finding of
    /// <paramref name="findingId"/> is for that stage.</summary>
    private static Finding AssertEndedByServer(ProbeReport report, string stage, string reply, string findingId)
    {
        Assert.Equal(stage, report.FailedStage?.Name);
        Assert.Equal(ProbeExitCodes.All[stage], ProbeExitCodes.For(report));
        Assert.Contains(report.Transcript, t => t.Text.StartsWith(reply, StringComparison.Ordinal));
        var finding = Assert.Single(report.Findings, f => f.Id == findingId);
        Assert.Equal(stage, finding.Stage);
        return finding;
    }

    [RootFact]
    public async Task The_idle_session_timeout_ends_the_hold_with_421_and_the_server_idle_timeout_finding()
    {
        using var server = FtpTestServer.Start(["idle_session_timeout=2"]);
        var report = await ProbeAsync(server, hold: TimeSpan.FromSeconds(20));

        var finding = AssertEndedByServer(report, "hold", "421 Timeout.", "ftp-idle-timeout");
        Assert.Contains("\"421 Timeout.\", then closed the connection (FIN)", finding.Summary, StringComparison.Ordinal);
        Assert.Equal("421", finding.ExplainCode);
        Assert.Equal(Linger.Knowledge.KnowledgeBase.Default.Text("cause.server-idle-timeout.title", System.Globalization.CultureInfo.GetCultureInfo("en")), finding.LikelyCause);
        Assert.DoesNotContain(report.Stages, s => s.Name == "pasv");
    }

    [RootFact]
    public async Task A_hold_shorter_than_the_idle_timeout_passes_and_the_probe_goes_on()
    {
        using var server = FtpTestServer.Start(["idle_session_timeout=30"]);
        var report = await ProbeAsync(server, hold: TimeSpan.FromSeconds(1));

        Assert.True(report.FailedStage is null, FtpProbeRunner.Transcript(report));
        Assert.Equal(["login", "hold", "pasv", "list"], report.Stages.Select(s => s.Name).Where(n => n is "login" or "hold" or "pasv" or "list"));
        Assert.Empty(report.Findings);
    }

    [RootFact]
    public async Task An_upload_stalled_past_the_data_connection_timeout_gets_421_and_the_data_timeout_finding()
    {
        using var server = FtpTestServer.Start(["data_connection_timeout=2"]);
        var report = await ProbeAsync(server, stall: TimeSpan.FromSeconds(20));

        var finding = AssertEndedByServer(report, "upload", "421 Data timeout", "ftp-data-timeout");
        Assert.Matches(@"paused for [\d.]+ s after 524288 of 1048576 bytes", finding.Summary);
        Assert.DoesNotContain(report.Stages, s => s.Name == "download");
        Assert.Contains(report.Transcript, t => t.Text.Contains("may remain on the server", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task An_upload_stalled_less_than_the_data_connection_timeout_completes_whole()
    {
        // 1000 bytes: less than one write, so the pause must still come halfway, after 500.
        using var server = FtpTestServer.Start(["data_connection_timeout=30"]);
        var report = await ProbeAsync(server, stall: TimeSpan.FromSeconds(1), size: 1000);

        Assert.True(report.FailedStage is null, FtpProbeRunner.Transcript(report));
        Assert.Contains(report.Transcript, t => t.Text == "pausing the upload for 1 s after 500 of 1000 bytes");
        Assert.Contains(report.Transcript, t => t.Text == "resuming the upload");
        Assert.Matches(@"OK UPLOAD: .*, 1000 bytes", server.Log);
    }
}
