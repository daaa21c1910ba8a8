namespace Linger.Wire.Filtering;

/// <summary>
/// A parsed packet filter in Linger's filter language, a subset of tcpdump's (pcap-filter(7)):
/// <c>host</c>, <c>net</c>, <c>port</c>, <c>portrange</c> with optional <c>src</c>/<c>dst</c>, the protocols
/// <c>tcp</c>, <c>ip</c>, <c>ip6</c>, joined by <c>and</c>/<c>&amp;&amp;</c>, <c>or</c>/<c>||</c>,
/// <c>not</c>/<c>!</c> and parentheses. As in tcpdump, <c>not</c> binds tightest and <c>and</c>/<c>or</c> have equal
/// precedence, left to right. The full grammar is in README.md next to this file.
/// </summary>
/// <remarks>
/// One expression has two back ends with the same meaning: <see cref="Matches"/> for decoded segments
/// (<c>linger analyze --filter</c>) and <see cref="BpfCompiler.Compile"/> for the kernel (<c>linger capture</c>).
/// </remarks>
public sealed class FilterExpression
{
    private FilterExpression(string text, FilterNode root)
    {
        Text = text;
        Root = root;
    }

    /// <summary>The filter that keeps everything.</summary>
    public static FilterExpression Everything { get; } = new(string.Empty, EverythingNode.Instance);

    /// <summary>The text the expression was parsed from.</summary>
    public string Text { get; }

    /// <summary>True for the empty filter, which matches every packet.</summary>
    public bool MatchesEverything => Root is EverythingNode;

    internal FilterNode Root { get; }

    /// <summary>Parses filter text; empty or blank text gives <see cref="Everything"/>.</summary>
    /// <exception cref="FilterSyntaxException">The text is not a valid filter; the message names the column and the fix.</exception>
    public static FilterExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new FilterExpression(text, FilterParser.Parse(text));
    }

    /// <summary>
    /// Whether a decoded TCP segment passes the filter. Only TCP reaches this evaluator, so <c>tcp</c> is always
    /// true and <c>ip</c>/<c>ip6</c> test the address family. Allocates nothing.
    /// </summary>
    public bool Matches(in TcpPacket packet) => Root.Matches(in packet);

    /// <summary>
    /// The canonical form: every binary operator parenthesised and every qualifier spelled out, so the
    /// grouping the parser chose is visible (<c>port 1 or port 2 and port 3</c> gives
    /// <c>((port 1 or port 2) and port 3)</c>).
    /// </summary>
    public override string ToString() => Root.ToString();
}
