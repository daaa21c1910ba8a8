using Linger.Analysis;
using Linger.Cli;
using Linger.Cli.Analyze;
using Linger.Cli.Output;
using Linger.Flows;
using Linger.Tests.Support;

namespace Linger.Tests.Cli;

/// <summary>
/// <c>linger analyze</c> starts analysing before its command line is parsed (<see cref="EarlyStart"/>): what it
/// reports must be exactly what it reports without that, in every outcome, and it must start only when nothing on the
/// command line can change the analysis.
/// </summary>
public sealed class EarlyStartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("analyze|x.pcap", "x.pcap")]
    [InlineData("analyze|x.pcap|y.pcap", "x.pcap")]
    [InlineData("analyze|--format|jsonl|x.pcap", "x.pcap")]
    [InlineData("analyze|x.pcap|--only=resets|--format=zeek", "x.pcap")]
    [InlineData("analyze|--only|failures|x.pcap|--format|table", "x.pcap")]
    [InlineData("analyze|x.pcap|--filter|port 80", null)]
    [InlineData("analyze|x.pcap|--filter=port 80", null)]
    [InlineData("analyze|x.pcap|--idle-timeout|5", null)]
    [InlineData("analyze|-", null)]
    [InlineData("analyze|@more-arguments.rsp", null)]
    [InlineData("analyze|x.pcap|--help", null)]
    [InlineData("analyze|x.pcap|-h", null)]
    [InlineData("analyze|--|x.pcap", null)]
    [InlineData("analyze|--format|jsonl", null)]
    [InlineData("analyze", null)]
    [InlineData("explain|x.pcap", null)]
    [InlineData("capture|x.pcap", null)]
    public void It_starts_only_when_nothing_on_the_command_line_can_change_the_analysis(string args, string? expected) =>
        Assert.Equal(expected, EarlyStart.FirstFile(args.Split('|')));

    [Theory]
    [InlineData("table")]
    [InlineData("jsonl")]
    [InlineData("zeek")]
    public void The_command_takes_the_early_run_over_and_prints_what_it_prints_without_it(string format)
    {
        using var temp = new TempDirectory("linger-early-");
        var capture = MixedCapture.Write(Path.Combine(temp.Path, "mixed.pcap"), 2000, seed: 21);
        string[] args = ["analyze", capture, "--format", format, "--only", "failures"];

        var early = EarlyStart.TryStart(args);
        Assert.NotNull(early);
        var with = LingerRunner.Run(early, args);
        Assert.True(early.Taken, "the command took the early run over");
        var without = LingerRunner.Run(null, args);

        Assert.Equal(0, without.ExitCode);
        Assert.True(without.Stdout.Length > 10_000, $"{without.Stdout.Length} characters");
        AssertSame(without, with);
    }

    [Fact]
    public async Task A_real_process_prints_the_same_with_and_without_it()
    {
        using var temp = new TempDirectory("linger-early-");
        var capture = MixedCapture.Write(Path.Combine(temp.Path, "mixed.pcap"), 2000, seed: 22);
        var second = MixedCapture.Write(Path.Combine(temp.Path, "second.pcap"), 300, seed: 23);

        foreach (var args in (string[][])[["analyze", capture, "--format", "jsonl"], ["analyze", capture, second], ["analyze", "--only", "resets", capture]])
        {
            var with = await LingerRunner.RunProcessAsync(null, args);
            var without = await LingerRunner.RunProcessAsync(new Dictionary<string, string> { ["LINGER_NO_EARLY_START"] = "1" }, args);
            Assert.Equal(0, without.ExitCode);
            AssertSame(without, with);
        }
    }

    [LinuxFact]
    public async Task The_executable_starts_early_unless_told_not_to()
    {
        using var temp = new TempDirectory("linger-early-");
        var capture = MixedCapture.Write(Path.Combine(temp.Path, "mixed.pcap"), 20_000, seed: 28);

        Assert.True(await SeesEarlyThreadAsync(capture, null), "a thread named 'linger early st…' while the capture was analysed");
        Assert.False(await SeesEarlyThreadAsync(capture, "1"), "none with LINGER_NO_EARLY_START=1");
    }

    [Fact]
    public async Task A_damaged_capture_is_reported_as_it_is_without_it()
    {
        using var temp = new TempDirectory("linger-early-");
        var capture = MixedCapture.Write(Path.Combine(temp.Path, "damaged.pcap"), 1500, seed: 24);

        // A record in the middle claims an absurd length: the conversations before it are reported, then the error.
        var bytes = File.ReadAllBytes(capture);
        var offset = RecordOffset(bytes, bytes.Length / 2);
        BitConverter.GetBytes(0x7FFF_0000u).CopyTo(bytes, offset + 8); // incl_len
        File.WriteAllBytes(capture, bytes);

        foreach (var format in (string[])["table", "jsonl"])
        {
            var with = await LingerRunner.RunProcessAsync(null, "analyze", capture, "--format", format);
            var without = await LingerRunner.RunProcessAsync(new Dictionary<string, string> { ["LINGER_NO_EARLY_START"] = "1" }, "analyze", capture, "--format", format);
            Assert.Equal(ExitCodes.Input, without.ExitCode);
            Assert.Contains($"offset {offset}", without.Stderr, StringComparison.Ordinal);
            Assert.True(without.Stdout.Length > 1000, "the conversations before the damage are reported");
            AssertSame(without, with);
        }
    }

    [Fact]
    public void A_usage_error_prints_only_the_usage_error_and_stops_the_early_run()
    {
        using var temp = new TempDirectory("linger-early-");
        var capture = MixedCapture.Write(Path.Combine(temp.Path, "mixed.pcap"), 3000, seed: 25);
        string[] args = ["analyze", capture, "--format", "xml"];

        var early = EarlyStart.TryStart(args);
        Assert.NotNull(early);
        var result = LingerRunner.Run(early, args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains("xml", result.Stderr, StringComparison.Ordinal);
        Assert.False(early.Taken);
        Assert.True(early.Join(Patience), "the early run stopped");
    }

    [Fact]
    public void A_command_asking_for_another_analysis_stops_the_early_run_and_runs_its_own()
    {
        using var temp = new TempDirectory("linger-early-");
        var capture = MixedCapture.Write(Path.Combine(temp.Path, "mixed.pcap"), 3000, seed: 26);

        var early = EarlyStart.TryStart(["analyze", capture]);
        Assert.NotNull(early);
        var filtered = AnalyzeCommand.OptionsFor(AnalyzeCommand.ParseFilter("port 80"), 3600);
        Assert.False(early.TryTake(capture, filtered));
        Assert.False(early.TryTake(capture, AnalyzeCommand.DefaultOptions()), "asked once: the first answer stands");
        Assert.True(early.Join(Patience), "the early run stopped");
        Assert.Throws<InvalidOperationException>(() => early.Finish(_ => { }, null));
    }

    [Fact]
    public void Conversations_wait_in_bounded_memory_until_the_command_takes_them_then_all_come_in_order()
    {
        using var temp = new TempDirectory("linger-early-");
        var capture = MixedCapture.Write(Path.Combine(temp.Path, "mixed.pcap"), 3000, seed: 27);
        var expected = new List<ConversationSummary>();
        CaptureAnalyzer.AnalyzeFile(capture, AnalyzeCommand.DefaultOptions(), expected.Add);

        const int Limit = 50;
        var early = EarlyStart.TryStart(["analyze", capture], maxWaiting: Limit);
        Assert.NotNull(early);

        // The run fills its list to the limit and then waits: it does not end, and the list grows no further.
        var deadline = DateTime.UtcNow + Patience;
        while (early.Waiting < Limit && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        Assert.Equal(Limit, early.Waiting);
        Assert.False(early.Join(TimeSpan.FromMilliseconds(300)), "the run waits for the command");
        Assert.Equal(Limit, early.Waiting);

        var got = new List<ConversationSummary>();
        Assert.True(early.TryTake(capture, AnalyzeCommand.DefaultOptions()));
        var totals = early.Finish(got.Add, null);

        Assert.Equal(expected.Count, got.Count);
        Assert.Equal(expected.Count, totals.Conversations);
        Assert.Equal(expected.Select(Key), got.Select(Key));
    }

    /// <summary>The same exit code, the same output (but for the wall clock), the same messages.</summary>
    private static void AssertSame(LingerRunner.Result without, LingerRunner.Result with)
    {
        Assert.Equal(without.ExitCode, with.ExitCode);
        Assert.Equal(OutputText.WithoutTiming(without.Stdout), OutputText.WithoutTiming(with.Stdout));
        Assert.Equal(without.Stderr, with.Stderr);
    }

    private static string Key(ConversationSummary c) => $"{c.FirstFrame} {c.Client} {c.Server} {c.Verdict} {c.ConnState} {c.History} {c.Packets}";

    /// <summary>
    /// Runs <c>linger analyze CAPTURE</c> as a process and watches its threads' names (<c>/proc/PID/task/*/comm</c>,
    /// 15 characters at most) until it exits: whether the early start's thread was among them.
    /// </summary>
    private static async Task<bool> SeesEarlyThreadAsync(string capture, string? noEarlyStart)
    {
        var psi = LingerRunner.StartInfo("analyze", capture, "--format", "jsonl");
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;

        if (noEarlyStart is not null)
        {
            psi.Environment["LINGER_NO_EARLY_START"] = noEarlyStart;
        }

        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var stderr = process.StandardError.ReadToEndAsync();
        var seen = false;
        var deadline = DateTime.UtcNow + Patience;
        while (!process.HasExited && DateTime.UtcNow < deadline)
        {
            try
            {
                seen |= Directory.EnumerateDirectories($"/proc/{process.Id}/task")
                    .Any(t => File.Exists(t + "/comm") && File.ReadAllText(t + "/comm").StartsWith("linger early", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                // the process or a thread ended while being looked at
            }
            catch (UnauthorizedAccessException)
            {
            }

            await Task.Delay(2);
        }

        using var cts = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(cts.Token);
        await stdout;
        Assert.True(process.ExitCode == 0, await stderr);
        return seen;
    }

    /// <summary>The offset of the classic pcap record that contains <paramref name="near"/>.</summary>
    private static int RecordOffset(byte[] pcap, int near)
    {
        var offset = 24;
        while (true)
        {
            var length = BitConverter.ToInt32(pcap, offset + 8);
            if (offset + 16 + length > near)
            {
                return offset;
            }

            offset += 16 + length;
        }
    }
}
