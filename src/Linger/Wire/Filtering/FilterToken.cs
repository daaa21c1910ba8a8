namespace Linger.Wire.Filtering;

/// <summary>The kinds of token in a filter expression.</summary>
internal enum FilterTokenKind
{
    /// <summary>A keyword, address, number, prefix or range: any run of characters other than space and <c>()!&amp;|</c>.</summary>
    Word,

    /// <summary><c>(</c></summary>
    OpenParenthesis,

    /// <summary><c>)</c></summary>
    CloseParenthesis,

    /// <summary><c>!</c></summary>
    Bang,

    /// <summary><c>&amp;&amp;</c></summary>
    AmpersandAmpersand,

    /// <summary><c>||</c></summary>
    BarBar,

    /// <summary>The end of the text.</summary>
    End,
}

/// <summary>One token with its 1-based column, so errors can point at it.</summary>
internal readonly record struct FilterToken(FilterTokenKind Kind, string Text, int Column)
{
    /// <summary>True for a word equal to <paramref name="keyword"/>; keywords are lower case, as in tcpdump.</summary>
    public bool Is(string keyword) => Kind == FilterTokenKind.Word && string.Equals(Text, keyword, StringComparison.Ordinal);

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind == FilterTokenKind.End ? "the end of the filter" : $"'{Text}'";
}
