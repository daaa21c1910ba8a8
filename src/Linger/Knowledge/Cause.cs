namespace Linger.Knowledge;

/// <summary>A reason a connection fails, shared by every code it can produce.</summary>
public sealed record Cause
{
    /// <summary>Shared id (<c>peer-process-died</c>); texts are <c>cause.&lt;id&gt;.title</c>, <c>.confirm</c>, <c>.fix</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Commands that confirm or rule out this cause with the operating system's own tools.</summary>
    public IReadOnlyList<ConfirmStep> Confirm { get; init; } = [];

    /// <summary>The <c>linger</c> command that confirms it, which may belong to a capability not yet shipped.</summary>
    public string? LingerCommand { get; init; }

    /// <summary>Where the facts come from, by name.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];
}

/// <summary>One command to run to confirm a cause.</summary>
/// <param name="Platform">Where the command runs.</param>
/// <param name="Command">The command line, with placeholders such as HOST and PORT in upper case.</param>
public sealed record ConfirmStep(OsPlatform Platform, string Command);
