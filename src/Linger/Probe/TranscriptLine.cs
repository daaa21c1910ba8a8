namespace Linger.Probe;

/// <summary>The kinds of transcript line, marked as swaks marks them.</summary>
public enum TranscriptKind
{
    /// <summary><c>-&gt;</c> sent by the probe.</summary>
    Sent,

    /// <summary><c>&lt;-</c> received from the server.</summary>
    Received,

    /// <summary><c>!!</c> an error.</summary>
    Error,

    /// <summary><c>==</c> what the probe is doing (resolving, connecting, starting TLS).</summary>
    Info,
}

/// <summary>One line of a probe's transcript.</summary>
/// <param name="Ms">Milliseconds since the probe started.</param>
/// <param name="Kind">Sent, received, error or info.</param>
/// <param name="Text">The line (secrets redacted).</param>
public sealed record TranscriptLine(double Ms, TranscriptKind Kind, string Text)
{
    /// <summary>The mark: <c>-&gt;</c>, <c>&lt;-</c>, <c>!!</c> or <c>==</c>.</summary>
    public string Mark => Kind switch
    {
        TranscriptKind.Sent => "->",
        TranscriptKind.Received => "<-",
        TranscriptKind.Error => "!!",
        _ => "==",
    };
}
