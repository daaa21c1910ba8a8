using System.Diagnostics;
using System.Text;
using Linger.Analysis;
using Linger.Cli.Analyze;
using Linger.Cli.Output;
using Linger.Flows;
using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Files;
using Linger.Wire.Filtering;

namespace Linger.Bench;

/// <summary>
/// <c>linger-bench stages FILE [ROUNDS] [NAME]</c>: the analysis stages timed in one warm process, the best of a few
/// rounds each (the machine is shared: the best round is the least disturbed), with the CPU time of the whole process.
/// With NAME, only the stages whose name contains it.
/// </summary>
internal static class Stages
{
    private static string? _only;

    public static void Run(string path, int rounds, string? only = null)
    {
        _only = only;
        Time("read frames", rounds, () =>
        {
            using var source = CaptureFile.Open(path);
            long n = 0;
            while (source.TryReadFrame(out _))
            {
                n++;
            }

            return n;
        });
        Time("read + decode", rounds, () =>
        {
            using var source = CaptureFile.Open(path);
            var stats = default(DecodeStats);
            long n = 0, tcp = 0;
            while (source.TryReadFrame(out var frame))
            {
                if (PacketDecoder.TryDecode(in frame, ++n, out _, ref stats))
                {
                    tcp++;
                }
            }

            return tcp;
        });
        var nothing = new AnalyzeOptions { Filter = FilterExpression.Parse("port 1"), Parallelism = 1 };
        Time("analyze, filter rejecting all, 1 thread", rounds, () => CaptureAnalyzer.AnalyzeFile(path, nothing, _ => { }).Conversations);
        foreach (var threads in (ReadOnlySpan<int>)[1, 2])
        {
            var options = new AnalyzeOptions { Parallelism = threads };
            Time($"analyze, {threads} thread(s), summaries dropped", rounds, () => CaptureAnalyzer.AnalyzeFile(path, options, _ => { }).Conversations);
        }

        var kept = new List<ConversationSummary>(300_000);
        CaptureAnalyzer.AnalyzeFile(path, new AnalyzeOptions(), kept.Add);
        Time("jsonl formatting to Stream.Null", rounds, () =>
        {
            var writer = new JsonLinesWriter(Stream.Null, batchLines: true);
            foreach (var c in kept)
            {
                writer.Write(c);
            }

            writer.End(DateTimeOffset.UtcNow);
            return kept.Count;
        });
        Time("table formatting to Stream.Null", rounds, () =>
        {
            using var text = new StreamWriter(Stream.Null, new UTF8Encoding(false), 1 << 16);
            var writer = new TableWriter(new Page(text, ConsoleOptions.Plain), Stream.Null);
            writer.Begin(DateTimeOffset.UtcNow);
            foreach (var c in kept)
            {
                writer.Write(c);
            }

            writer.End(DateTimeOffset.UtcNow);
            text.Flush();
            return kept.Count;
        });
        Time("zeek formatting to Stream.Null", rounds, () =>
        {
            var writer = new ZeekConnLogWriter(Stream.Null);
            writer.Begin(DateTimeOffset.UtcNow);
            foreach (var c in kept)
            {
                writer.Write(c);
            }

            writer.End(DateTimeOffset.UtcNow);
            return kept.Count;
        });
    }

    private static void Time(string name, int rounds, Func<long> stage)
    {
        if (_only is not null && !name.Contains(_only, StringComparison.Ordinal))
        {
            return;
        }

        var best = TimeSpan.MaxValue;
        var bestCpu = TimeSpan.MaxValue;
        long result = 0;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        for (var i = 0; i < rounds; i++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            result = stage();
            var wall = sw.Elapsed;
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            best = wall < best ? wall : best;
            bestCpu = used < bestCpu ? used : bestCpu;
        }

        allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / rounds;
        Console.WriteLine(
            $"{name,-48} best wall {best.TotalMilliseconds,6:F0} ms   best CPU {bestCpu.TotalMilliseconds,6:F0} ms   ({result})   "
            + $"per round: {allocated / 1e6:F1} MB allocated, GCs {(GC.CollectionCount(0) - gen0) / (double)rounds:F1}/"
            + $"{(GC.CollectionCount(1) - gen1) / (double)rounds:F1}/{(GC.CollectionCount(2) - gen2) / (double)rounds:F1}");
    }
}
