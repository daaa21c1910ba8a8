using Linger.Probe;
using Linger.Probe.Ftp;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>FileZilla's classic failure, for real: login works, then every passive data connection is blocked by a
/// firewall rule (nftables in a network namespace, see <see cref="FtpFirewalledServer"/>); and the control port itself
/// blocked the same ways.</summary>
[Collection(FtpFirewalledServer.Collection)]
public sealed class FtpBlockedPassiveTests
{
    private static Task<ProbeReport> ProbeAsync(FtpTestServer server) =>
        FtpProbeRunner.ProbeAsync(server, TimeSpan.FromSeconds(60), o => o with { Size = 64 * 1024, Timeout = TimeSpan.FromSeconds(2) });

    private static async Task BlockedControlPortAsync(string verdict, string findingId, string explainCode)
    {
        using var site = new FtpFirewalledServer(verdict, FtpBlockedPath.ControlPort);
        var report = await ProbeAsync(site.Server);

        Assert.Equal("connect", report.FailedStage?.Name);
        var finding = Assert.Single(report.Findings);
        Assert.Equal(findingId, finding.Id);
        Assert.Equal(explainCode, finding.ExplainCode);
    }

    [RootFact]
    public async Task A_dropped_passive_range_fails_pasv_after_a_good_login_with_the_blocked_port_finding()
    {
        using var site = new FtpFirewalledServer("drop");
        var report = await ProbeAsync(site.Server);

        Assert.True(report.Stages.Single(s => s.Name == "login").Ok, FtpProbeRunner.Transcript(report));
        Assert.Equal("pasv", report.FailedStage?.Name);
        Assert.Equal(ProbeExitCodes.All["pasv"], ProbeExitCodes.For(report));
        var finding = Assert.Single(report.Findings, f => f.Id == "ftp-passive-port-blocked" && f.Stage == "pasv");
        Assert.Contains("dropped silently", finding.Summary, StringComparison.Ordinal);
        Assert.Contains(report.Stages, s => s.Name == "epsv" && !s.Ok);
        Assert.DoesNotContain(report.Stages, s => s.Name is "list" or "upload");
    }

    [RootFact]
    public Task A_dropped_control_port_fails_connect_with_the_no_answer_finding() =>
        BlockedControlPortAsync("drop", "control-no-answer", "ETIMEDOUT");

    [RootFact]
    public Task A_rejected_control_port_fails_connect_with_the_refused_finding() =>
        BlockedControlPortAsync("reject with tcp reset", "control-refused", "ECONNREFUSED");

    [RootFact]
    public async Task A_rejected_passive_range_is_reported_as_refused()
    {
        using var site = new FtpFirewalledServer("reject with tcp reset");
        var report = await ProbeAsync(site.Server);

        Assert.Equal("pasv", report.FailedStage?.Name);
        Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, report.FailedStage?.Error?.SocketError);
        var finding = Assert.Single(report.Findings, f => f.Id == "ftp-passive-port-blocked" && f.Stage == "pasv");
        Assert.Contains("refused", finding.Summary, StringComparison.Ordinal);
    }
}
