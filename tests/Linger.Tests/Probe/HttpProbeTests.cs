using System.Security.Cryptography.X509Certificates;
using Linger.Probe;
using Linger.Probe.Http;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary><c>linger probe http</c> against a real HTTP server on loopback (plain and with a self-signed certificate).</summary>
public sealed class HttpProbeTests : IDisposable
{
    private readonly X509Certificate2 _certificate = HttpTestServer.SelfSignedCertificate();

    public void Dispose() => _certificate.Dispose();

    [LinuxFact]
    public async Task A_GET_reports_the_status_line_and_passes_every_stage()
    {
        await using var server = HttpTestServer.Start(maxBody: 0);

        var report = await ProbeAsync($"http://127.0.0.1:{server.Port}/health");

        Assert.Equal("ok", report.Verdict);
        Assert.Equal(["resolve", "connect", "request", "response"], report.Stages.Select(s => s.Name));
        Assert.Equal("HTTP/1.1 200 OK", report.Stages.Single(s => s.Name == "response").Received);
        Assert.Contains(report.Transcript, l => l.Kind == TranscriptKind.Sent && l.Text == "GET /health HTTP/1.1");
    }

    [LinuxFact]
    public async Task A_server_that_answers_413_early_and_closes_during_a_large_upload_is_heard_and_reported()
    {
        await using var server = HttpTestServer.Start(maxBody: 1000);

        var report = await ProbeAsync($"http://127.0.0.1:{server.Port}/upload", o => o with { BodyBytes = 10_000_000 });

        var request = report.Stages.Single(s => s.Name == "request");
        Assert.False(request.Ok);
        Assert.Contains("sending the body failed", request.Error?.Message, StringComparison.Ordinal);
        Assert.Equal("HTTP/1.1 413 Payload Too Large", report.Stages.Single(s => s.Name == "response").Received);
        var finding = Assert.Single(report.Findings);
        Assert.Equal("early-response-then-close", finding.Id);
        Assert.Contains("413 Payload Too Large", finding.Summary, StringComparison.Ordinal);
        Assert.Equal("failed at request", report.Verdict);
    }

    [LinuxFact]
    public async Task A_body_the_server_reads_whole_is_sent_and_answered()
    {
        await using var server = HttpTestServer.Start(maxBody: 10_000_000);

        var report = await ProbeAsync($"http://127.0.0.1:{server.Port}/upload", o => o with { BodyBytes = 2_000_000 });

        Assert.Equal("ok", report.Verdict);
        Assert.Empty(report.Findings);
        Assert.Contains(report.Transcript, l => l.Text == "body sent: 2.0 MB");
    }

    [LinuxFact]
    public async Task A_self_signed_certificate_fails_the_tls_stage_and_says_why()
    {
        await using var server = HttpTestServer.Start(maxBody: 0, _certificate);

        var report = await ProbeAsync($"https://localhost:{server.Port}/");

        var tls = report.Stages.Single(s => s.Name == "tls");
        Assert.False(tls.Ok);
        Assert.Contains("not trusted", tls.Error?.Message, StringComparison.Ordinal);
        Assert.Equal("certificate-not-trusted", Assert.Single(report.Findings).Id);
        Assert.DoesNotContain(report.Stages, s => s.Name == "request");
    }

    [LinuxFact]
    public async Task Insecure_goes_on_past_the_certificate_problem_and_still_reports_it()
    {
        await using var server = HttpTestServer.Start(maxBody: 0, _certificate);

        var report = await ProbeAsync($"https://localhost:{server.Port}/", o => o with { Insecure = true });

        Assert.True(report.Stages.Single(s => s.Name == "tls").Ok);
        Assert.Equal("HTTP/1.1 200 OK", report.Stages.Single(s => s.Name == "response").Received);
        var finding = Assert.Single(report.Findings);
        Assert.Equal("certificate-not-trusted", finding.Id);
        Assert.Contains("--insecure", finding.Summary, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task The_command_exits_21_when_the_upload_is_cut_short_and_prints_the_answer()
    {
        await using var server = HttpTestServer.Start(maxBody: 1000);

        var result = await Task.Run(() => TcpProbeRunner.Run("http", $"http://127.0.0.1:{server.Port}/upload", "--body", "5MB"));

        Assert.Equal(21, result.ExitCode);
        Assert.Contains("<- HTTP/1.1 413 Payload Too Large", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Verdict: failed at request", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://example.com/")]
    [InlineData("http://exa mple.com/")]
    [InlineData("example.com")]
    public void A_bad_URL_is_a_usage_error_that_says_what_is_wrong(string url)
    {
        var result = TcpProbeRunner.Run("http", url);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bad URL", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_body_size_is_a_usage_error()
    {
        var result = TcpProbeRunner.Run("http", "http://127.0.0.1:1/", "--body", "lots");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--body 'lots' is not a size", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10MB", 10_000_000)]
    [InlineData("10MiB", 10_485_760)]
    [InlineData("1500", 1500)]
    [InlineData("64kb", 64_000)]
    public void Body_sizes_read_as_people_write_them(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    private static async Task<ProbeReport> ProbeAsync(string url, Func<HttpProbeOptions, HttpProbeOptions>? adjust = null)
    {
        var options = new HttpProbeOptions { Target = HttpTarget.Parse(url), StepTimeout = TimeSpan.FromSeconds(5), TransferTimeout = TimeSpan.FromSeconds(20) };
        options = adjust?.Invoke(options) ?? options;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await new HttpProbe(options).RunAsync(new ProbeSession("http", url), cts.Token);
    }
}
