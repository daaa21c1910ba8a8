namespace Linger.Probe;

/// <summary>One step of a probe (resolve, connect, banner, ehlo, starttls, login, pasv, upload, ...), timed.</summary>
public sealed record ProbeStage
{
    /// <summary>The stage's name, lower case: <c>resolve</c>, <c>connect</c>, <c>ehlo</c>.</summary>
    public required string Name { get; init; }

    /// <summary>True when the stage did what it should.</summary>
    public required bool Ok { get; init; }

    /// <summary>How long it took, in milliseconds.</summary>
    public double Ms { get; init; }

    /// <summary>What the probe sent in this stage (secrets redacted), if anything.</summary>
    public string? Sent { get; init; }

    /// <summary>What it received, if anything.</summary>
    public string? Received { get; init; }

    /// <summary>Why it failed, when it did.</summary>
    public ProbeError? Error { get; init; }
}
