using Linger.Lab;

namespace Linger.Cli.Lab;

/// <summary>Short descriptions of a result for tables: what each side saw, the verdict, agreement.</summary>
internal static class LabSummary
{
    /// <summary>What <paramref name="actor"/>'s calls returned that matters: errors, timeouts and ends of stream, in order.</summary>
    public static string Saw(ScenarioResult result, Actor actor)
    {
        var seen = new List<string>();
        foreach (var step in result.Steps)
        {
            if (step.Actor != actor)
            {
                continue;
            }

            var brief = step.Result.Brief();
            if ((!step.Result.Ok || brief == "EOF") && !seen.Contains(brief))
            {
                seen.Add(brief);
            }
        }

        return result.Status == ScenarioStatus.Skipped ? "-" : seen.Count == 0 ? "ok" : string.Join(", ", seen);
    }

    /// <summary>The observed verdict, or why there is none.</summary>
    public static string Verdict(ScenarioResult result) =>
        result.Observed is { } observed ? LabRunner.Describe(observed)
        : result.Status == ScenarioStatus.Skipped ? "-"
        : result.Captured ? "(no packets)" : "(not captured)";

    /// <summary>yes / NO / - (nothing to compare).</summary>
    public static string Agrees(ScenarioResult result) => result.Agrees switch
    {
        true => "yes",
        false => "NO",
        null => "-",
    };

    /// <summary>passed / FAILED / skipped.</summary>
    public static string Status(ScenarioResult result) => result.Status switch
    {
        ScenarioStatus.Passed => "passed",
        ScenarioStatus.Failed => "FAILED",
        _ => "skipped",
    };
}
