using Linger.Cli.Analyze;

namespace Linger.Tests.Cli;

/// <summary>The warm-up finds the analysis's hot methods by their attribute and compiles every one of them.</summary>
public sealed class JitWarmupTests
{
    [Fact]
    public void It_finds_the_per_packet_methods_of_every_stage()
    {
        string[] expected =
        [
            "Linger.Wire.Decoding.PacketDecoder.TryDecode",
            "Linger.Analysis.Internal.TrackerShard.Run",
            "Linger.Flows.ConversationTracker.AddKeyed",
            "Linger.Flows.Internal.ZeekConnection.Process",
            "Linger.Flows.Internal.SummaryBuilder.Build",
            "Linger.Cli.Analyze.TableWriter.Row",
        ];

        var found = new[] { "Linger.Wire", "Linger.Analysis", "Linger.Flows", "Linger.Cli.Analyze" }
            .SelectMany(JitWarmup.MethodsIn)
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .ToHashSet();

        Assert.All(expected, name => Assert.Contains(name, found));
    }

    [Fact]
    public void Every_method_it_finds_is_compiled()
    {
        var found = new[] { "Linger.Wire", "Linger.Analysis", "Linger.Flows", "Linger.Cli.Analyze" }.Sum(ns => JitWarmup.MethodsIn(ns).Count());

        Assert.True(found > 40, $"only {found} methods marked AggressiveOptimization were found");
        Assert.Equal(found, JitWarmup.Run());
    }
}
