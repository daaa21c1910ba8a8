using System.Net.Sockets;
using System.Text;
using Linger.Probe;
using Linger.Probe.Tcp;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary><c>linger probe tcp</c> against real servers on loopback, each provoking one behaviour for real.</summary>
public sealed class TcpProbeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [LinuxFact]
    public async Task A_server_that_speaks_first_has_its_banner_reported()
    {
        await using var server = TcpTestServer.Start(async (s, _, ct) =>
        {
            await s.SendAsync(Encoding.ASCII.GetBytes("220 test server ready\r\n"), SocketFlags.None, ct);
            await TcpTestServer.StayOpenAsync(ct);
        });

        var report = await ProbeAsync(server.Port);

        var banner = report.Stages.Single(s => s.Name == "banner");
        Assert.True(banner.Ok);
        Assert.Equal("220 test server ready", banner.Received);
        Assert.Contains(report.Transcript, l => l.Kind == TranscriptKind.Received && l.Text == "220 test server ready");
        Assert.Equal("ok", report.Verdict);
    }

    [LinuxFact]
    public async Task A_silent_server_passes_the_banner_stage_with_nothing_received()
    {
        await using var server = TcpTestServer.Start((_, _, ct) => TcpTestServer.StayOpenAsync(ct));

        var report = await ProbeAsync(server.Port, o => o with { BannerWait = TimeSpan.FromMilliseconds(300) });

        var banner = report.Stages.Single(s => s.Name == "banner");
        Assert.True(banner.Ok);
        Assert.Null(banner.Received);
        Assert.Contains(report.Transcript, l => l.Text.Contains("said nothing", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task A_port_nobody_listens_on_is_refused_with_the_nothing_listening_finding()
    {
        using var closed = TcpTestServer.ReserveClosedPort(out var port);

        var report = await ProbeAsync(port);

        var connect = report.Stages.Single(s => s.Name == "connect");
        Assert.False(connect.Ok);
        Assert.Equal(SocketError.ConnectionRefused, connect.Error?.SocketError);
        var finding = Assert.Single(report.Findings);
        Assert.Equal("connect-refused", finding.Id);
        Assert.Equal("ECONNREFUSED", finding.ExplainCode);
        Assert.DoesNotContain(report.Stages, s => s.Name == "banner");
    }

    [LinuxFact]
    public async Task A_server_that_resets_right_after_accept_fails_the_banner_stage_with_ECONNRESET()
    {
        await using var server = TcpTestServer.StartResettingOnceWaitingForBanner(out var onLine);

        var report = await ProbeAsync(server.Port, onLine: onLine);

        Assert.True(report.Stages.Single(s => s.Name == "connect").Ok);
        var banner = report.Stages.Single(s => s.Name == "banner");
        Assert.False(banner.Ok);
        Assert.Equal(SocketError.ConnectionReset, banner.Error?.SocketError);
        Assert.Equal("reset-after-accept", Assert.Single(report.Findings).Id);
        Assert.Equal("failed at banner", report.Verdict);
    }

    [LinuxFact]
    public async Task Hold_sees_the_FIN_of_a_server_that_closes_idle_connections()
    {
        await using var server = TcpTestServer.Start(async (s, _, ct) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(800), ct);
            s.Shutdown(SocketShutdown.Both);
            s.Close();
        });

        var report = await ProbeAsync(server.Port, o => o with { BannerWait = TimeSpan.FromMilliseconds(200), Hold = TimeSpan.FromSeconds(10) });

        var hold = report.Stages.Single(s => s.Name == "hold");
        Assert.False(hold.Ok);
        Assert.Equal("FIN", hold.Received);
        Assert.Equal("hold-closed-by-server", Assert.Single(report.Findings).Id);
    }

    [LinuxFact]
    public async Task Hold_sees_the_RST_of_a_server_that_aborts_idle_connections()
    {
        await using var server = TcpTestServer.Start(async (s, _, ct) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(800), ct);
            TcpTestServer.Reset(s);
        });

        var report = await ProbeAsync(server.Port, o => o with { BannerWait = TimeSpan.FromMilliseconds(200), Hold = TimeSpan.FromSeconds(10) });

        var hold = report.Stages.Single(s => s.Name == "hold");
        Assert.False(hold.Ok);
        Assert.Equal("RST", hold.Received);
        Assert.Equal(SocketError.ConnectionReset, hold.Error?.SocketError);
        var finding = Assert.Single(report.Findings);
        Assert.Equal("hold-reset", finding.Id);
        Assert.Equal("ECONNRESET", finding.ExplainCode);
    }

    [LinuxFact]
    public async Task Hold_reports_a_connection_nobody_closed_as_still_open()
    {
        await using var server = TcpTestServer.Start((_, _, ct) => TcpTestServer.StayOpenAsync(ct));

        var report = await ProbeAsync(server.Port, o => o with { BannerWait = TimeSpan.FromMilliseconds(200), Hold = TimeSpan.FromMilliseconds(700) });

        var hold = report.Stages.Single(s => s.Name == "hold");
        Assert.True(hold.Ok);
        Assert.StartsWith("still open", hold.Received, StringComparison.Ordinal);
        Assert.Empty(report.Findings);
    }

    [LinuxFact]
    public async Task Concurrency_finds_the_connection_where_a_server_with_a_limit_starts_resetting()
    {
        const int limit = 4;
        await using var server = TcpTestServer.Start(async (s, n, ct) =>
        {
            if (n < limit + 1)
            {
                await TcpTestServer.StayOpenAsync(ct); // the banner stage's connection plus the limit
            }
            else
            {
                TcpTestServer.Reset(s);
            }
        });

        var report = await ProbeAsync(server.Port, o => o with { BannerWait = TimeSpan.FromMilliseconds(200), Concurrency = 8 });

        var stage = report.Stages.Single(s => s.Name == "concurrency");
        Assert.False(stage.Ok);
        Assert.Contains("connection #5 was the first to fail", stage.Error?.Message, StringComparison.Ordinal);
        Assert.StartsWith("4 of 8 connections", stage.Received, StringComparison.Ordinal);
        Assert.Equal("concurrency-limit", Assert.Single(report.Findings).Id);
    }

    [LinuxFact]
    public async Task Concurrency_against_a_server_that_stops_accepting_ends_in_timeouts_once_the_backlog_is_full()
    {
        // Never accepts; Linux queues backlog + 1 finished handshakes, then drops further SYNs.
        await using var server = TcpTestServer.Start(null, backlog: 2);

        var report = await ProbeAsync(server.Port, o => o with { BannerWait = TimeSpan.FromMilliseconds(200), ConnectTimeout = TimeSpan.FromSeconds(1.5), Concurrency = 6 });

        var stage = report.Stages.Single(s => s.Name == "concurrency");
        Assert.False(stage.Ok);
        Assert.Contains("timed out", stage.Received, StringComparison.Ordinal);
        Assert.Contains(report.Findings, f => f.Id == "concurrency-timeouts" && f.ExplainCode == "ETIMEDOUT");
    }

    [LinuxFact]
    public async Task The_command_exits_11_for_a_refused_connect_and_prints_json_with_the_stage_and_finding()
    {
        using var closed = TcpTestServer.ReserveClosedPort(out var port);

        var result = await Task.Run(() => TcpProbeRunner.Run("tcp", $"127.0.0.1:{port}", "--json"));

        Assert.Equal(11, result.ExitCode);
        var json = result.Json;
        Assert.Equal("tcp", json.GetProperty("probe").GetString());
        Assert.Equal("failed at connect", json.GetProperty("verdict").GetString());
        Assert.Contains(json.GetProperty("stages").EnumerateArray(), s => s.GetProperty("name").GetString() == "connect" && s.GetProperty("error").GetProperty("errno").GetInt32() == 111);
        Assert.Contains(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("id").GetString() == "connect-refused");
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:banana")]
    [InlineData("")]
    public void A_bad_target_is_a_usage_error_that_says_how_to_write_it(string target)
    {
        var result = TcpProbeRunner.Run("tcp", target);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("target", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_hold_duration_is_a_usage_error()
    {
        var result = TcpProbeRunner.Run("tcp", "127.0.0.1:1", "--hold", "soon");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--hold 'soon' is not a duration", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tcp", "127.0.0.1:1", "--hold")]
    [InlineData("tcp", "127.0.0.1:1", "--timeout")]
    [InlineData("http", "http://127.0.0.1:1/", "--transfer-timeout")]
    public void A_duration_past_the_probes_ceiling_is_a_usage_error_not_an_internal_one(string probe, string target, string option)
    {
        // A timer cannot wait 100000 h: without the ceiling, a stage that waited this long ended in an internal error (exit 70).
        var result = TcpProbeRunner.Run(probe, target, option, "100000h");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{option} '100000h' is longer than a probe waits; give at most 24h.", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<ProbeReport> ProbeAsync(int port, Func<TcpProbeOptions, TcpProbeOptions>? adjust = null, Action<TranscriptLine>? onLine = null)
    {
        var options = new TcpProbeOptions { Target = new ProbeTarget("127.0.0.1", port), ConnectTimeout = TimeSpan.FromSeconds(3) };
        options = adjust?.Invoke(options) ?? options;
        using var cts = new CancellationTokenSource(Deadline);
        return await new TcpProbe(options).RunAsync(new ProbeSession("tcp", options.Target.ToString(), onLine), cts.Token);
    }
}
