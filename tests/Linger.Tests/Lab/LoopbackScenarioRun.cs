using System.Diagnostics;
using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Wire;

namespace Linger.Tests.Lab;

/// <summary>Runs one catalogue scenario on loopback, as <c>linger lab ID</c> would, and reads its evidence.</summary>
internal static class LoopbackScenarioRun
{
    /// <summary>
    /// Runs scenario <paramref name="id"/>; packets are captured when <paramref name="capture"/> (root), and kept as
    /// <c>ID.pcapng</c> in <paramref name="captureDirectory"/> when given.
    /// </summary>
    public static async Task<ScenarioResult> RunAsync(string id, bool capture, string? captureDirectory = null)
    {
        var scenario = ScenarioCatalog.Find(id);
        Assert.NotNull(scenario);
        var environment = new LabEnvironment { CapturePackets = capture, CaptureDirectory = captureDirectory, AgentStart = AgentStart };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await new LabRunner(environment).RunAsync(scenario, cts.Token);
    }

    /// <summary>The lab agent from the built linger next to the tests (<see cref="LingerRunner.Command"/>), started as LabCommand starts it.</summary>
    public static ProcessStartInfo AgentStart() => LingerRunner.StartInfo("lab-agent");

    /// <summary>The one step whose action starts with <paramref name="action"/>.</summary>
    public static ScenarioStep Step(this ScenarioResult result, Actor actor, string action) =>
        Assert.Single(result.Steps, s => s.Actor == actor && s.Action.StartsWith(action, StringComparison.Ordinal));

    /// <summary>The symbolic errno of a failed step, as the C library names it.</summary>
    public static string? ErrnoName(this ScenarioStep step) => step.Result.Errno is { } n ? Libc.ErrnoName(n) : null;

    /// <summary>The captured packets of the watched connection.</summary>
    public static List<LabPacket> WatchedPackets(this ScenarioResult result)
    {
        Assert.NotNull(result.Client);
        return [.. result.Packets.Where(p => p.ClientPort == result.Client.Port)];
    }

    /// <summary>The analyser's summaries of the other connections the scenario made.</summary>
    public static List<ConversationSummary> OtherConversations(this ScenarioResult result)
    {
        Assert.NotNull(result.Client);
        return [.. result.Conversations.Where(c => c.Client.Port != result.Client.Port)];
    }

    /// <summary>True when the packet carries <paramref name="flag"/>.</summary>
    public static bool Has(this LabPacket packet, TcpFlags flag) => (packet.Flags & flag) != 0;

    /// <summary>Fails with the scenario's own failures when it did not pass.</summary>
    public static void AssertPassed(this ScenarioResult result) =>
        Assert.True(result.Status == ScenarioStatus.Passed, $"{result.Scenario.Id}: {result.Status}: {string.Join("; ", result.Failures)} {result.SkipReason}");
}
