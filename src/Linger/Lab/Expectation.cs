using Linger.Flows;

namespace Linger.Lab;

/// <summary>What the analyser should conclude from the watched conversation's packets.</summary>
/// <param name="Verdict">The expected verdict.</param>
/// <param name="ResetBy">For <see cref="Verdict.Reset"/> and <see cref="Verdict.Refused"/>: which side sends the RST (null: not checked).</param>
public sealed record Expectation(Verdict Verdict, Side? ResetBy = null)
{
    /// <summary>Whether the analyser must (true) or must not (false) suspect the RST was injected; null: not checked.</summary>
    public bool? SuspectedInjection { get; init; }

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
        return SuspectedInjection switch
        {
            true => text + ", suspected injection",
            false => text + ", not injected",
            null => text,
        };
    }
}
