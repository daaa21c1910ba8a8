using System.Net;
using Linger.Flows;

namespace Linger.Lab;

/// <summary>The evidence of one scenario run: the steps, the packets, the analyser's verdict, and whether it agrees.</summary>
public sealed record ScenarioResult
{
    /// <summary>The scenario that ran.</summary>
    public required Scenario Scenario { get; init; }

    /// <summary>Passed, failed or skipped.</summary>
    public required ScenarioStatus Status { get; init; }

    /// <summary>Why it was skipped.</summary>
    public string? SkipReason { get; init; }

    /// <summary>Why it failed: its own checks, a disagreeing verdict, a timeout.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>Notes that are not failures (packets the kernel dropped from the capture, ...).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The calls and their results, with both sides' states.</summary>
    public IReadOnlyList<ScenarioStep> Steps { get; init; } = [];

    /// <summary>The captured segments (empty when packets were not captured).</summary>
    public IReadOnlyList<LabPacket> Packets { get; init; } = [];

    /// <summary>True when packets were captured for this run.</summary>
    public bool Captured { get; init; }

    /// <summary>The pcapng file kept for this run, or null.</summary>
    public string? CapturePath { get; init; }

    /// <summary>Every conversation the analyser found in the capture.</summary>
    public IReadOnlyList<ConversationSummary> Conversations { get; init; } = [];

    /// <summary>The analyser's summary of the watched conversation, when captured and found.</summary>
    public ConversationSummary? Observed { get; init; }

    /// <summary>Whether the analyser's verdict is the expected one; null when there is nothing to compare.</summary>
    public bool? Agrees { get; init; }

    /// <summary>The client end of the watched connection.</summary>
    public IPEndPoint? Client { get; init; }

    /// <summary>The server end.</summary>
    public IPEndPoint? Server { get; init; }

    /// <summary>Documented behaviour of other platforms, with sources.</summary>
    public IReadOnlyList<DocumentedDifference> Windows { get; init; } = [];

    /// <summary>How long the run took, setup included.</summary>
    public double DurationMs { get; init; }
}
