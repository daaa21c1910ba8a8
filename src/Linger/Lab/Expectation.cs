using Linger.Flows;

namespace Linger.Lab;

/// <summary>What the analyser should conclude from the watched conversation's packets.</summary>
/// <param name="Verdict">The expected verdict.</param>
/// <param name="ResetBy">For <see cref="Verdict.Reset"/> and <see cref="Verdict.Refused"/>: which side sends the RST (null: not checked).</param>
public sealed record Expectation(Verdict Verdict, Side? ResetBy = null)
{
    /// <summary>
    /// Whether the analyser must (true) or must not (false) suspect the RST was injected; null: not checked. False
    /// unless a scenario says otherwise: every packet the lab makes comes from a real endpoint's kernel except where a
    /// scenario has a middlebox forge one, so a suspicion anywhere else is a false alarm of the analyser.
    /// </summary>
    public bool? SuspectedInjection { get; init; } = false;

    /// <summary>True when <paramref name="summary"/> says the same.</summary>
    public bool IsMetBy(ConversationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.Verdict == Verdict && (ResetBy is null || summary.ResetBy == ResetBy)
            && (SuspectedInjection is null || summary.SuspectedInjection == SuspectedInjection);
    }

    /// <summary>The verdict as the JSON and tables print it: <c>reset</c>, <c>half-closed</c>.</summary>
    public static string Name(Verdict verdict) => verdict switch
    {
        Verdict.HalfClosed => "half-closed",
        _ => verdict.ToString().ToLowerInvariant(),
    };

    /// <inheritdoc />
    public override string ToString()
    {
        var text = ResetBy is { } side ? $"{Name(Verdict)} by {side.ToString().ToLowerInvariant()}" : Name(Verdict);
        // Injection is a question about a RST: other verdicts need not say they were not injected.
        return (SuspectedInjection, Verdict) switch
        {
            (true, _) => text + ", suspected injection",
            (false, Verdict.Reset) => text + ", not injected",
            _ => text,
        };
    }
}
