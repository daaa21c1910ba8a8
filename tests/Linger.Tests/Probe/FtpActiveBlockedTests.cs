using Linger.Probe;
using Linger.Probe.Ftp;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>
/// Active mode behind a client-side firewall, for real: vsftpd in a namespace accepts PORT and EPRT, and its
/// connections back to the probe are dropped or rejected by an nftables rule on this side (see
/// <see cref="FtpFirewalledServer"/>, <see cref="FtpBlockedPath.ConnectBack"/>). vsftpd's connect_timeout is cut to
/// 2 s, so it gives up and answers 425 within the probe's 5 s.
/// </summary>
[Collection(FtpFirewalledServer.Collection)]
public sealed class FtpActiveBlockedTests
{
    private static Task<ProbeReport> ProbeAsync(FtpTestServer server, TimeSpan timeout) =>
        FtpProbeRunner.ProbeAsync(server, TimeSpan.FromSeconds(90), o => o with { Size = 0, Active = true, Timeout = timeout });

    [RootFact]
    public async Task A_dropped_connection_back_fails_port_with_425_and_says_to_use_passive_mode()
    {
        using var site = new FtpFirewalledServer("drop", FtpBlockedPath.ConnectBack, ["connect_timeout=2"]);
        var report = await ProbeAsync(site.Server, TimeSpan.FromSeconds(5));

        Assert.True(report.Stages.Single(s => s.Name == "list").Ok, FtpProbeRunner.Transcript(report));
        Assert.Equal("port", report.FailedStage?.Name);
        Assert.Equal(ProbeExitCodes.All["port"], ProbeExitCodes.For(report));
        Assert.Contains("425", report.FailedStage?.Error?.Message, StringComparison.Ordinal);
        var finding = Assert.Single(report.Findings, f => f.Id == "ftp-active-connect-back-failed" && f.Stage == "port");
        Assert.Contains("could not connect back", finding.Summary, StringComparison.Ordinal);
        Assert.Contains("Use passive mode", finding.Summary, StringComparison.Ordinal);
        Assert.Contains("which worked in this probe", finding.Summary, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_rejected_connection_back_fails_eprt_too()
    {
        using var site = new FtpFirewalledServer("reject with tcp reset", FtpBlockedPath.ConnectBack, ["connect_timeout=2"]);
        var report = await ProbeAsync(site.Server, TimeSpan.FromSeconds(5));

        Assert.Equal("port", report.FailedStage?.Name);
        Assert.Contains(report.Stages, s => s.Name == "eprt" && !s.Ok);
        Assert.Contains(report.Findings, f => f.Id == "ftp-active-connect-back-failed" && f.Stage == "eprt");
    }

    [RootFact]
    public async Task A_server_still_trying_to_connect_back_when_the_probe_gives_up_is_named_as_such()
    {
        // vsftpd's default connect_timeout (60 s) outlasts the probe's 3 s: LIST gets no answer at all.
        using var site = new FtpFirewalledServer("drop", FtpBlockedPath.ConnectBack);
        var report = await ProbeAsync(site.Server, TimeSpan.FromSeconds(3));

        Assert.Equal("port", report.FailedStage?.Name);
        var finding = Assert.Single(report.Findings, f => f.Id == "ftp-active-connect-back-failed");
        Assert.Contains("still trying to connect back", finding.Summary, StringComparison.Ordinal);
        Assert.Contains("no answer within 3 s", report.FailedStage?.Error?.Message, StringComparison.Ordinal);
    }
}
