namespace Linger.Knowledge;

/// <summary>One way to read the user's input: an entry, how likely it is, and why it was chosen.</summary>
public sealed record Reading
{
    /// <summary>The entry this reading points at.</summary>
    public required KnowledgeEntry Entry { get; init; }

    /// <summary>Relative likelihood, 0–100; readings are listed highest first.</summary>
    public required int Score { get; init; }

    /// <summary>For errno readings of a number, the platforms whose number it is; empty otherwise.</summary>
    public IReadOnlyList<OsPlatform> Platforms { get; init; } = [];

    /// <summary>The reasons, most important first.</summary>
    public required IReadOnlyList<Why> Why { get; init; }

    /// <summary>The part of the input that produced this reading.</summary>
    public required string Matched { get; init; }
}

/// <summary>A reason for a reading: a text key (<c>why.&lt;key&gt;</c> in the Ui resources) and its arguments.</summary>
/// <param name="Key">The reason's key, stable across languages (<c>winsock-range</c>, <c>message</c>, ...).</param>
/// <param name="Args">Values substituted into the text.</param>
public sealed record Why(string Key, params string[] Args)
{
    /// <summary>Two reasons are the same when their key and arguments are.</summary>
    public bool Equals(Why? other) =>
        other is not null && Key == other.Key && Args.AsSpan().SequenceEqual(other.Args);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Key);
        foreach (var a in Args)
        {
            hash.Add(a);
        }

        return hash.ToHashCode();
    }
}

/// <summary>The result of explaining one input: every reading, most likely first, or suggestions when none.</summary>
/// <param name="Query">The input as given.</param>
/// <param name="Readings">Readings, most likely first.</param>
/// <param name="Suggestions">When nothing matched: the nearest known names.</param>
public sealed record Explanation(string Query, IReadOnlyList<Reading> Readings, IReadOnlyList<string> Suggestions)
{
    /// <summary>True when at least one reading was found.</summary>
    public bool Found => Readings.Count > 0;
}
