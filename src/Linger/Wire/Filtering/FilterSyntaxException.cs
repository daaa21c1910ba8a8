namespace Linger.Wire.Filtering;

/// <summary>
/// A filter expression that cannot be parsed. The message names the problem, the 1-based column where it was
/// found, and what to write instead, e.g. "expected a port number after 'port' at column 6".
/// </summary>
public sealed class FilterSyntaxException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filter">The whole filter text.</param>
    /// <param name="column">1-based column of the offending token (the text's length + 1 for its end).</param>
    /// <param name="problem">What is wrong, without the position.</param>
    /// <param name="hint">What to write instead, or null.</param>
    public FilterSyntaxException(string filter, int column, string problem, string? hint)
        : base(Compose(column, problem, hint))
    {
        Filter = filter;
        Column = column;
        Problem = problem;
        Hint = hint;
    }

    /// <summary>Creates the exception.</summary>
    public FilterSyntaxException()
        : this(string.Empty, 1, "invalid filter", null)
    {
    }

    /// <summary>Creates the exception.</summary>
    public FilterSyntaxException(string message)
        : this(string.Empty, 1, message, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    public FilterSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
        Filter = string.Empty;
        Column = 1;
        Problem = message;
    }

    /// <summary>The filter text that was parsed.</summary>
    public string Filter { get; } = string.Empty;

    /// <summary>1-based column where the problem is.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; } = string.Empty;

    /// <summary>What to write instead, or null when there is nothing useful to suggest.</summary>
    public string? Hint { get; }

    /// <summary>
    /// Two lines for a terminal: the filter, and a caret under <see cref="Column"/>, so a user sees where the problem is.
    /// </summary>
    public string TextWithCaret => Filter + Environment.NewLine + new string(' ', Math.Max(0, Column - 1)) + "^";

    private static string Compose(int column, string problem, string? hint) =>
        hint is null ? $"{problem} at column {column}" : $"{problem} at column {column}; {hint}";
}
