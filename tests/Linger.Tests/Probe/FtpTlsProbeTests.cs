using Linger.Probe;
using Linger.Probe.Ftp;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>Explicit FTPS against vsftpd with a self-signed certificate made at setup (<c>openssl req -x509</c>).</summary>
public sealed class FtpTlsProbeTests
{
    private static FtpTestServer StartWithTls(string directory)
    {
        FtpTestServer.Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=ftp.linger.test",
            "-keyout", Path.Combine(directory, "key.pem"), "-out", Path.Combine(directory, "cert.pem"));
        return FtpTestServer.Start([
            "ssl_enable=YES", $"rsa_cert_file={directory}/cert.pem", $"rsa_private_key_file={directory}/key.pem",
            "force_local_logins_ssl=YES", "force_local_data_ssl=YES", "require_ssl_reuse=NO", "ssl_ciphers=HIGH",
        ]);
    }

    private static async Task<ProbeReport> ProbeAsync(FtpTestServer server, bool insecure)
    {
        var options = new FtpProbeOptions
        {
            Target = ProbeTarget.Parse(server.Target, 21),
            User = server.User,
            Password = server.Password,
            Size = 1 << 20,
            Tls = true,
            Insecure = insecure,
            Timeout = TimeSpan.FromSeconds(5),
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await new FtpProbe(options).RunAsync(new ProbeSession("ftp", server.Target), cts.Token);
    }

    [RootFact]
    public async Task An_untrusted_certificate_fails_the_tls_stage_and_says_why()
    {
        var directory = Directory.CreateTempSubdirectory("linger-ftps-").FullName;
        try
        {
            using var server = StartWithTls(directory);
            var report = await ProbeAsync(server, insecure: false);

            Assert.Equal("tls", report.FailedStage?.Name);
            Assert.Contains(report.Findings, f => f.Id == "certificate-not-trusted");
            Assert.DoesNotContain(report.Stages, s => s.Name == "login");
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }
}
