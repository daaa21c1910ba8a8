namespace Linger.Probe;

/// <summary>The outcome of one probe: every stage, the transcript, the findings, and where it broke.</summary>
public sealed record ProbeReport
{
    /// <summary>What was probed, as the user gave it (<c>mail.example.com:587</c>).</summary>
    public required string Target { get; init; }

    /// <summary>tcp, smtp, ftp or http.</summary>
    public required string Probe { get; init; }

    /// <summary>The stages in the order they ran.</summary>
    public IReadOnlyList<ProbeStage> Stages { get; init; } = [];

    /// <summary>The conversation, line by line, with timings.</summary>
    public IReadOnlyList<TranscriptLine> Transcript { get; init; } = [];

    /// <summary>What the probe concluded.</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];

    /// <summary>The first stage that failed, or null when every stage passed.</summary>
    public ProbeStage? FailedStage
    {
        get
        {
            foreach (var stage in Stages)
            {
                if (!stage.Ok)
                {
                    return stage;
                }
            }

            return null;
        }
    }

    /// <summary><c>ok</c>, or <c>failed at STAGE</c>.</summary>
    public string Verdict => FailedStage is { } failed ? $"failed at {failed.Name}" : "ok";
}
