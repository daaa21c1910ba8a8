namespace Linger.Lab.Namespaces;

/// <summary>What a network tool did.</summary>
/// <param name="CommandLine">The command as run.</param>
/// <param name="ExitCode">Its exit code; -1 when it did not start or did not finish.</param>
/// <param name="Output">What it printed on standard output.</param>
/// <param name="Error">What it printed on standard error, or why it did not run.</param>
internal sealed record CommandOutcome(string CommandLine, int ExitCode, string Output, string Error)
{
    /// <summary>True when the tool ran and exited with 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>The tool's own words: its error output, else its output, else the exit code.</summary>
    public string Message => Error.Length > 0 ? Error : Output.Length > 0 ? Output : $"exit code {ExitCode}";

    /// <summary>As a lab step's result.</summary>
    public StepResult ToStepResult() => Succeeded
        ? StepResult.Success(detail: Output.Length > 0 ? Output : "done")
        : StepResult.Failed(Message);
}
