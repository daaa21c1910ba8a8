using System.Reflection;
using Linger.Cli.Analyze;

namespace Linger.Tests.Cli;

/// <summary>The warm-up names every type with hot methods, and compiles them, with the writer of the format asked for.</summary>
public sealed class JitWarmupTests
{
    [Fact]
    public void It_names_every_type_that_has_a_method_marked_for_optimisation()
    {
        // Found the slow way, by listing every type: what the warm-up's list of names must hold.
        var core = typeof(Linger.Flows.ConversationTracker).Assembly;
        var marked = core.GetTypes().Concat(typeof(JitWarmup).Assembly.GetTypes())
            .Where(t => !t.ContainsGenericParameters && JitWarmup.Marked(t).Any())
            .Where(t => t != typeof(JitWarmup))
            .Select(t => t.FullName!)
            .ToHashSet();
        var named = JitWarmup.CoreTypes.Select(n => core.GetType(n)!)
            .Concat(JitWarmup.SharedOutputTypes)
            .Concat(new[] { "table", "jsonl", "zeek" }.Select(JitWarmup.WriterFor))
            .SelectMany(JitWarmup.WithNested)
            .Where(t => JitWarmup.Marked(t).Any())
            .Select(t => t.FullName!)
            .ToHashSet();
        // A name here that no longer exists, or whose type no longer has such methods.
        Assert.All(JitWarmup.CoreTypes, n => Assert.True(
            core.GetType(n) is { } t && JitWarmup.WithNested(t).Any(x => JitWarmup.Marked(x).Any()), $"{n} has no method to warm"));

        Assert.Empty(marked.Except(named)); // a type missing here is compiled on first use, by the thread that needs it
    }

    [Fact]
    public void It_compiles_the_per_packet_methods_of_every_stage_and_only_the_writer_asked_for()
    {
        string[] expected =
        [
            "Linger.Wire.Decoding.PacketDecoder.TryDecode",
            "Linger.Analysis.Internal.TrackerShard.Run",
            "Linger.Flows.ConversationTracker.AddKeyed",
            "Linger.Flows.Internal.ZeekConnection.Process",
            "Linger.Flows.Internal.SummaryBuilder.Build",
        ];

        foreach (var (format, writer, others) in new[]
        {
            ("table", typeof(TableWriter), new[] { typeof(JsonLinesWriter), typeof(ZeekConnLogWriter) }),
            ("jsonl", typeof(JsonLinesWriter), new[] { typeof(TableWriter), typeof(ZeekConnLogWriter) }),
            ("zeek", typeof(ZeekConnLogWriter), new[] { typeof(TableWriter), typeof(JsonLinesWriter) }),
        })
        {
            var methods = JitWarmup.Methods(format).ToList();
            var names = methods.Select(m => $"{m.DeclaringType!.FullName}.{m.Name}").ToHashSet();
            Assert.All(expected, name => Assert.Contains(name, names));
            Assert.Contains(methods, m => m.DeclaringType == writer);
            Assert.DoesNotContain(methods, m => others.Contains(m.DeclaringType) || others.Contains(m.DeclaringType!.DeclaringType));
            Assert.Equal(methods.Count, JitWarmup.Run(format));
        }
    }

    [Theory]
    [InlineData(new[] { "analyze", "x.pcap" }, "table")]
    [InlineData(new[] { "analyze", "x.pcap", "--format", "jsonl" }, "jsonl")]
    [InlineData(new[] { "analyze", "--format=zeek", "x.pcap" }, "zeek")]
    [InlineData(new[] { "analyze", "--format:jsonl", "x.pcap" }, "jsonl")]
    [InlineData(new[] { "analyze", "x.pcap", "--format" }, "table")]
    public void It_reads_the_format_from_the_arguments(string[] args, string format) =>
        Assert.Equal(format, JitWarmup.FormatIn(args));
}
