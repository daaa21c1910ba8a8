using System.Net.Sockets;
using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Tests.Wire.Support;

namespace Linger.Tests.Lab;

/// <summary>linger-timeout on this kernel: SO_LINGER {1,1} and close with data the peer has no room for.</summary>
public sealed class LingerTimeoutTests(LingerTimeoutTests.Run run) : IClassFixture<LingerTimeoutTests.Run>
{
    private const string Id = "linger-timeout";
    private const string Close = "close (SO_LINGER";

    public sealed class Run() : CapturedScenarioRun(Id);

    [RootFact]
    public async Task The_scenario_passes_and_the_analyser_sees_a_graceful_close()
    {
        var result = await run.ResultAsync();

        Assert.Empty(result.Failures);
        Assert.Equal(Verdict.Closed, result.Observed?.Verdict);
        Assert.True(result.Agrees);
    }

    [RootFact]
    public async Task Close_returns_without_an_error_and_leaves_the_data_and_the_FIN_queued_in_FIN_WAIT1()
    {
        var result = await run.ResultAsync();

        var close = CapturedScenarioRun.Step(result, Close);
        Assert.True(close.Result.Ok);
        Assert.Equal("FIN_WAIT1", close.ClientState.State);
        Assert.True(close.ClientState.SendQueue > 1, $"unsent/unacked after close: {close.ClientState.SendQueue}");
    }

    [RootFact]
    public async Task The_linger_timeout_resets_nothing_and_the_server_still_receives_every_byte()
    {
        var result = await run.ResultAsync();

        var filled = CapturedScenarioRun.Step(result, "send without blocking");
        Assert.Equal(SocketError.WouldBlock, filled.Result.SocketError);
        var drained = CapturedScenarioRun.Step(result, "read everything");
        Assert.True(drained.Result.Ok);
        Assert.Equal(filled.Result.Bytes, drained.Result.Bytes);
        Assert.Equal(0, await run.CountAsync("tcp.flags.reset == 1"));
    }

    [RootFact]
    public async Task The_window_was_closed_while_close_waited_and_the_FIN_left_only_after_it_opened()
    {
        var result = await run.ResultAsync();
        var server = result.Server!.Port;

        Assert.True(await run.CountAsync($"tcp.srcport == {server} && tcp.analysis.zero_window") >= 1);
        var fins = await Tshark.FieldsAsync(run.CapturePath, $"tcp.dstport == {server} && tcp.flags.fin == 1", "frame.number", "tcp.len");
        var fin = Assert.Single(fins);
        Assert.True(Tshark.Int(fin[1]) > 0, "the client's FIN should ride on the data that was still queued");
        var update = await Tshark.FieldsAsync(run.CapturePath, $"tcp.srcport == {server} && tcp.analysis.window_update", "frame.number");
        Assert.True(Tshark.Int(update[0][0]) < Tshark.Int(fin[0]));
    }

    [LinuxFact]
    public async Task Without_capture_close_still_returns_and_the_server_still_receives_every_byte()
    {
        var result = await CapturedScenarioRun.PlayAsync(Id, new LabEnvironment { CapturePackets = false });

        // The client's state right after close tells a cut-short wait (still FIN_WAIT1) from data that found room.
        var steps = string.Join("; ", result.Steps.Select(s => $"{s.Action}: {s.Result.Brief()}, client {s.ClientState}"));
        Assert.True(result.Status == ScenarioStatus.Passed, $"{string.Join("; ", result.Failures)} (steps: {steps})");
        Assert.False(result.Captured);
        Assert.True(CapturedScenarioRun.Step(result, Close).Result.Ok);
        Assert.Equal(CapturedScenarioRun.Step(result, "send without blocking").Result.Bytes, CapturedScenarioRun.Step(result, "read everything").Result.Bytes);
    }

    [LinuxFact]
    public async Task Signals_at_every_thread_do_not_cut_the_linger_wait_short()
    {
        // A signal at the thread waiting in close(2) ends the kernel's linger wait at once; the lab blocks them there.
        // SIGRTMIN is the one the .NET runtime handles itself (to stop threads for a collection), harmless to send.
        const int RealTimeMin = 34;
        var psi = LingerRunner.StartInfo("lab", Id, "--no-capture", "--json");
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;

        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var signalled = 0;
        for (var round = 0; round < 400 && !process.HasExited; round++)
        {
            // Only once the runtime handles the signal: before that, its default action ends the process.
            List<string> tasks;
            try
            {
                tasks = Directory.EnumerateDirectories($"/proc/{process.Id}/task").ToList();
            }
            catch (DirectoryNotFoundException)
            {
                break; // it exited after the look above
            }

            if (!tasks.Any(t => ReadOrEmpty(Path.Combine(t, "comm")).StartsWith(".NET Finalizer", StringComparison.Ordinal)))
            {
                await Task.Delay(20);
                continue;
            }

            foreach (var task in tasks.Select(Path.GetFileName))
            {
                signalled += Libc.ThreadKill(process.Id, int.Parse(task!, System.Globalization.CultureInfo.InvariantCulture), RealTimeMin) == 0 ? 1 : 0;
            }

            await Task.Delay(20);
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        using var doc = System.Text.Json.JsonDocument.Parse(await stdout);
        var scenario = doc.RootElement.GetProperty("scenarios")[0];
        Assert.True(signalled > 0, "signals were sent");
        Assert.True(scenario.GetProperty("status").GetString() == "passed", scenario.GetProperty("failures").ToString());
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty; // the thread ended meanwhile
        }
    }
}
