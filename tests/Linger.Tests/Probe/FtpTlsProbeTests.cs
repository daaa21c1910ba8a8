using System.Globalization;
using System.Text.RegularExpressions;
using Linger.Probe;
using Linger.Probe.Ftp;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>
/// Explicit FTPS against vsftpd with its default TLS settings (<c>ssl_enable=YES</c> and a self-signed certificate made
/// at setup with <c>openssl req -x509</c>; so <c>require_ssl_reuse=YES</c>, <c>force_local_data_ssl=YES</c>), plus
/// <c>debug_ssl=YES</c> so that vsftpd's log says whether each data connection resumed the control connection's session.
/// </summary>
public sealed class FtpTlsProbeTests
{
    private const long Size = 1 << 20;

    private static FtpTestServer StartWithTls(string directory, params string[] extra)
    {
        FtpTestServer.Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=ftp.linger.test",
            "-keyout", Path.Combine(directory, "key.pem"), "-out", Path.Combine(directory, "cert.pem"));
        return FtpTestServer.Start([
            "ssl_enable=YES", $"rsa_cert_file={directory}/cert.pem", $"rsa_private_key_file={directory}/key.pem", "debug_ssl=YES", .. extra,
        ]);
    }

    /// <summary>Explicit FTPS to <paramref name="target"/> (the server's address, or a host name for it).</summary>
    private static Task<ProbeReport> ProbeAsync(FtpTestServer server, string target, bool insecure, Func<FtpProbeOptions, FtpProbeOptions>? change = null) =>
        FtpProbeRunner.ProbeAsync(server, TimeSpan.FromSeconds(60), o =>
        {
            var ftps = o with { Target = ProbeTarget.Parse(target, 21), Size = Size, Tls = true, Insecure = insecure };
            return change?.Invoke(ftps) ?? ftps;
        });

    private static string Explain(ProbeReport report, FtpTestServer server) => FtpProbeRunner.Explain(report, server);

    private static async Task WithTlsServerAsync(Func<FtpTestServer, Task> test, params string[] extra)
    {
        var directory = Directory.CreateTempSubdirectory("linger-ftps-").FullName;
        try
        {
            using var server = StartWithTls(directory, extra);
            await test(server);
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    [RootFact]
    public Task An_untrusted_certificate_fails_the_tls_stage_and_says_why() => WithTlsServerAsync(async server =>
    {
        var report = await ProbeAsync(server, server.Target, insecure: false);

        Assert.Equal("tls", report.FailedStage?.Name);
        Assert.Contains(report.Findings, f => f.Id == "certificate-not-trusted");
        Assert.DoesNotContain(report.Stages, s => s.Name == "login");
    });

    [RootFact]
    public Task By_host_name_list_upload_and_download_pass_over_ftps_with_vsftpd_defaults() => WithTlsServerAsync(async server =>
    {
        var report = await ProbeAsync(server, $"localhost:{server.Port}", insecure: true);

        Assert.True(report.FailedStage is null, Explain(report, server));
        Assert.Equal(["list", "upload", "download"], report.Stages.Where(s => s.Name is "list" or "upload" or "download").Select(s => s.Name));
        // vsftpd's own account: every data connection resumed the control session, and both transfers were whole.
        Assert.DoesNotContain("No SSL session reuse", server.Log, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Count(server.Log, "SSL cipher: [^,]+, reused"));
        Assert.Matches(@"OK UPLOAD: .*, 1048576 bytes", server.Log);
        Assert.Matches(@"OK DOWNLOAD: .*, 1048576 bytes", server.Log);
    });

    [RootFact]
    public Task The_file_uploaded_over_ftps_is_on_the_server_byte_for_byte() => WithTlsServerAsync(async server =>
    {
        // DELE denied, so the uploaded file stays for the test to read; its name carries the seed of its content.
        var report = await ProbeAsync(server, $"localhost:{server.Port}", insecure: true);

        Assert.True(report.FailedStage is null, Explain(report, server));
        var path = Assert.Single(Directory.GetFiles(server.Home, "linger-probe-*.bin"));
        var seed = uint.Parse(Regex.Match(Path.GetFileName(path), @"-([0-9a-f]{8})\.bin$").Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var stored = await File.ReadAllBytesAsync(path);
        Assert.Equal(Size, stored.LongLength);
        Assert.Equal(-1, new FtpTestFile(Size, seed).FirstMismatch(0, stored));
    }, "cmds_denied=DELE");

    [RootFact]
    public Task The_idle_session_timeout_of_an_ftps_session_ends_the_hold_with_the_server_idle_timeout_finding() => WithTlsServerAsync(async server =>
    {
        var report = await ProbeAsync(server, $"localhost:{server.Port}", insecure: true, o => o with { Size = 0, Hold = TimeSpan.FromSeconds(20) });

        Assert.Equal("hold", report.FailedStage?.Name);
        var finding = Assert.Single(report.Findings, f => f.Id == "ftp-idle-timeout");
        Assert.Contains("ended the TLS session", finding.Summary, StringComparison.Ordinal);
        Assert.Contains("closed the connection (FIN)", finding.Summary, StringComparison.Ordinal);
    }, "idle_session_timeout=2");

    [RootFact]
    public Task By_ip_address_the_data_connection_is_refused_for_session_reuse_and_the_finding_names_require_ssl_reuse() => WithTlsServerAsync(async server =>
    {
        var report = await ProbeAsync(server, server.Target, insecure: true);

        Assert.Equal("list", report.FailedStage?.Name);
        Assert.Contains("522", report.FailedStage?.Error?.Message, StringComparison.Ordinal);
        Assert.Equal(ProbeExitCodes.All["list"], ProbeExitCodes.For(report));
        var finding = Assert.Single(report.Findings, f => f.Id == "ftps-session-reuse-required");
        Assert.Contains("require_ssl_reuse", finding.LikelyCause, StringComparison.Ordinal);
        Assert.Contains("host name", finding.Fix, StringComparison.Ordinal);
        Assert.Equal("522", finding.ExplainCode);
        Assert.Contains("require_ssl_reuse", LingerRunner.Run("explain", "522").Stdout, StringComparison.Ordinal);
        Assert.Contains("No SSL session reuse on data channel", server.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(report.Stages, s => s.Name is "epsv" or "upload");
    });
}
