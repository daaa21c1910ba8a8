using Linger.Probe;
using Linger.Probe.Tcp;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>
/// <c>--capture</c>: the probe records its own packets live and the analyser's verdict agrees with what the probe
/// itself saw on the socket.
/// </summary>
public sealed class TcpProbeCaptureTests
{
    [RootFact]
    public async Task The_analyser_sees_a_refused_connect_as_refused()
    {
        using var closed = TcpTestServer.ReserveClosedPort(out var port);

        var report = await ProbeAsync(port);

        Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, report.Stages.Single(s => s.Name == "connect").Error?.SocketError);
        var capture = report.Stages.Single(s => s.Name == "capture");
        Assert.True(capture.Ok);
        Assert.Contains(": refused", capture.Received, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task The_analyser_sees_a_reset_after_accept_as_reset_by_the_server()
    {
        await using var server = TcpTestServer.StartResettingOnceWaitingForBanner(out var onLine);

        var report = await ProbeAsync(server.Port, onLine);

        Assert.True(report.Stages.Single(s => s.Name == "connect").Ok);
        Assert.False(report.Stages.Single(s => s.Name == "banner").Ok);
        var capture = report.Stages.Single(s => s.Name == "capture");
        Assert.Contains(": reset by the server", capture.Received, StringComparison.Ordinal);
        Assert.Contains(report.Transcript, l => l.Text.StartsWith("capture: 127.0.0.1:", StringComparison.Ordinal));
    }

    // The reset comes as soon as the probe waits for a banner; the long wait only leaves room for a loaded machine (a
    // full test run once took the server more than the 0.5 s this wait used to be).
    private static async Task<ProbeReport> ProbeAsync(int port, Action<TranscriptLine>? onLine = null)
    {
        var options = new TcpProbeOptions { Target = new ProbeTarget("127.0.0.1", port), ConnectTimeout = TimeSpan.FromSeconds(3), BannerWait = TimeSpan.FromSeconds(5), Capture = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await new TcpProbe(options).RunAsync(new ProbeSession("tcp", options.Target.ToString(), onLine), cts.Token);
    }
}
