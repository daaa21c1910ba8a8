namespace Linger.Lab;

/// <summary>
/// Thrown through <see cref="ScenarioContext.Skip"/> when the machine refuses something the scenario needs (a
/// privilege, a kernel feature): the run is reported as skipped with the reason, and its steps so far are kept.
/// </summary>
public sealed class ScenarioSkippedException : Exception
{
    /// <summary>A skip with the reason shown to the user.</summary>
    public ScenarioSkippedException(string message)
        : base(message)
    {
    }

    /// <summary>A skip without a reason (prefer the other constructors).</summary>
    public ScenarioSkippedException()
    {
    }

    /// <summary>A skip caused by <paramref name="innerException"/>.</summary>
    public ScenarioSkippedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
