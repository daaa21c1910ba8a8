namespace Linger.Knowledge;

/// <summary>A behaviour that differs between operating systems (what a write after the peer's close returns, ...).</summary>
public sealed record PlatformDifference
{
    /// <summary>Shared id (<c>write-after-peer-close</c>); texts are <c>diff.&lt;id&gt;.title</c> and <c>diff.&lt;id&gt;.&lt;platform&gt;</c>.</summary>
    public required string Id { get; init; }

    /// <summary>What each platform does.</summary>
    public IReadOnlyList<DifferenceNote> Notes { get; init; } = [];
}

/// <summary>Whether a statement was reproduced on this machine or is taken from documentation.</summary>
public enum Evidence
{
    /// <summary>Reproduced by a test in this repository on a real kernel.</summary>
    Measured,

    /// <summary>Taken from a named source; not reproduced here.</summary>
    Documented,
}

/// <summary>What one platform does, and how we know.</summary>
public sealed record DifferenceNote
{
    /// <summary>The platform the note is about.</summary>
    public required OsPlatform Platform { get; init; }

    /// <summary>Measured here or documented elsewhere.</summary>
    public required Evidence Evidence { get; init; }

    /// <summary>For measured notes: the test that reproduces it (<c>Class.Method</c>).</summary>
    public string? MeasuredBy { get; init; }

    /// <summary>For documented notes: the source, by name.</summary>
    public string? Source { get; init; }
}
