using System.Text.Json;
using Linger.Probe;
using Linger.Probe.Ftp;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary><c>linger probe ftp</c> against a real vsftpd on loopback (see <see cref="FtpTestServer"/>).</summary>
public sealed class FtpProbeTests
{
    private static Task<ProbeReport> ProbeAsync(FtpTestServer server, Func<FtpProbeOptions, FtpProbeOptions>? change = null) =>
        FtpProbeRunner.ProbeAsync(server, TimeSpan.FromSeconds(120), o =>
        {
            var sized = o with { Size = 3 << 20 };
            return change?.Invoke(sized) ?? sized;
        });

    private static string Explain(ProbeReport report, FtpTestServer server) => FtpProbeRunner.Explain(report, server);

    [RootFact]
    public async Task Passive_modes_list_and_a_verified_upload_and_download_all_pass()
    {
        using var server = FtpTestServer.Start();
        var report = await ProbeAsync(server);

        Assert.True(report.FailedStage is null, Explain(report, server));
        Assert.Equal(["resolve", "connect", "banner", "login", "pasv", "list", "epsv", "upload", "download"], report.Stages.Select(s => s.Name));
        Assert.Empty(report.Findings);
        Assert.Contains(report.Transcript, t => t.Text.StartsWith("227 ", StringComparison.Ordinal));
        Assert.Contains(report.Transcript, t => t.Text.StartsWith("229 ", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task The_server_received_the_whole_test_file_and_it_is_deleted_afterwards()
    {
        using var server = FtpTestServer.Start();
        var report = await ProbeAsync(server);

        Assert.True(report.FailedStage is null, Explain(report, server));
        // vsftpd's own log of the STOR, independent of what the probe says it sent.
        Assert.Matches(@"OK UPLOAD: .*linger-probe-[^""]*"", 3145728 bytes", server.Log);
        Assert.Matches(@"OK DOWNLOAD: .*, 3145728 bytes", server.Log);
        Assert.Empty(Directory.GetFiles(server.Home, "linger-probe-*"));
    }

    [RootFact]
    public async Task Active_mode_has_the_server_connect_back_for_port_and_eprt()
    {
        using var server = FtpTestServer.Start();
        var report = await ProbeAsync(server, o => o with { Active = true, Size = 0 });

        Assert.True(report.FailedStage is null, Explain(report, server));
        Assert.Contains(report.Stages, s => s.Name == "port" && s.Ok);
        Assert.Contains(report.Stages, s => s.Name == "eprt" && s.Ok);
        Assert.Contains(report.Transcript, t => t.Text.StartsWith("PORT 127,0,0,1,", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_private_address_in_227_is_reported_and_the_control_address_used_instead()
    {
        using var server = FtpTestServer.Start(["pasv_address=10.255.255.1"]);
        var report = await ProbeAsync(server, o => o with { Size = 0 });

        Assert.Contains(report.Transcript, t => t.Text.StartsWith("227 ", StringComparison.Ordinal) && t.Text.Contains("(10,255,255,1,", StringComparison.Ordinal));
        var finding = Assert.Single(report.Findings, f => f.Id == "ftp-pasv-private-address");
        Assert.Equal("pasv", finding.Stage);
        Assert.Contains("10.255.255.1", finding.Summary, StringComparison.Ordinal);
        Assert.Contains(report.Stages, s => s.Name == "pasv" && s.Ok);
        Assert.Contains(report.Stages, s => s.Name == "list" && s.Ok);
        Assert.DoesNotContain(report.Transcript, t => t.Text.StartsWith("opening the data connection to 10.255.255.1", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Sessions_past_max_clients_get_421_and_too_many_connections()
    {
        using var server = FtpTestServer.Start(["max_clients=2"]);
        var report = await ProbeAsync(server, o => o with { Size = 0, Concurrency = 4 });

        var stage = Assert.Single(report.Stages, s => s.Name == "concurrency");
        Assert.False(stage.Ok, Explain(report, server));
        var finding = Assert.Single(report.Findings, f => f.Id == "too-many-connections");
        Assert.Contains("421", finding.Summary, StringComparison.Ordinal);
        Assert.Contains("2 sessions at once", finding.Summary, StringComparison.Ordinal);
        Assert.Equal(ProbeExitCodes.All["concurrency"], ProbeExitCodes.For(report));
    }

    [RootFact]
    public async Task A_server_killed_during_the_upload_is_an_interrupted_transfer()
    {
        // 256 KB/s makes a 32 MB upload last long enough to kill the server part-way, when the file has begun.
        using var server = FtpTestServer.Start(["local_max_rate=262144"]);
        var probing = ProbeAsync(server, o => o with { Size = 32 << 20 });
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromSeconds(30) && !Directory.GetFiles(server.Home, "linger-probe-*").Any(f => new FileInfo(f).Length > 256 * 1024))
        {
            await Task.Delay(50);
        }

        server.Kill();
        var report = await probing;

        var upload = Assert.Single(report.Stages, s => s.Name == "upload");
        Assert.False(upload.Ok, Explain(report, server));
        var finding = Assert.Single(report.Findings, f => f.Id == "ftp-data-transfer-interrupted");
        Assert.Equal("upload", finding.Stage);
        Assert.Matches(@"after \d+ of 33554432 bytes", finding.Summary);
    }

    [RootFact]
    public void The_password_appears_in_no_output_text_or_json()
    {
        using var server = FtpTestServer.Start();
        var variable = $"LINGER_TEST_FTP_PW_{Environment.ProcessId}";
        Environment.SetEnvironmentVariable(variable, server.Password);
        try
        {
            var text = FtpProbeRunner.Run("probe", "ftp", server.Target, "--user", server.User, "--password-env", variable, "--size", "64KB", "--concurrency", "2", "--timeout", "5s");
            var json = FtpProbeRunner.Run("probe", "ftp", server.Target, "--user", server.User, "--password-env", variable, "--size", "64KB", "--json", "--timeout", "5s");

            Assert.True(text.ExitCode == 0, text.Stdout + text.Stderr);
            Assert.Contains("PASS <redacted>", text.Stdout, StringComparison.Ordinal);
            Assert.Contains("230 ", text.Stdout, StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(json.Stdout);
            Assert.Equal("ok", doc.RootElement.GetProperty("verdict").GetString());
            foreach (var output in (string[])[text.Stdout, text.Stderr, json.Stdout, json.Stderr])
            {
                Assert.DoesNotContain(server.Password, output, StringComparison.Ordinal);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [RootFact]
    public void A_wrong_password_fails_login_with_its_exit_code_and_a_finding()
    {
        using var server = FtpTestServer.Start();
        var variable = $"LINGER_TEST_FTP_BAD_{Environment.ProcessId}";
        Environment.SetEnvironmentVariable(variable, "not-the-password");
        try
        {
            var r = FtpProbeRunner.Run("probe", "ftp", server.Target, "--user", server.User, "--password-env", variable, "--timeout", "5s");

            Assert.Equal(ProbeExitCodes.All["login"], r.ExitCode);
            Assert.Contains("530 ", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("Verdict: failed at login", r.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-password", r.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
