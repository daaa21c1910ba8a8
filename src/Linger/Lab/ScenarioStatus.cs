namespace Linger.Lab;

/// <summary>How a scenario run ended.</summary>
public enum ScenarioStatus
{
    /// <summary>It ran to the end, met its own checks, and the analyser's verdict agreed (when packets were captured).</summary>
    Passed,

    /// <summary>It ran, but a check failed, the verdict disagreed, or it did not finish in time.</summary>
    Failed,

    /// <summary>It could not run here (the reason says why: not root, not Linux, a missing tool).</summary>
    Skipped,
}
