using System.Globalization;
using Linger.Cli.Output;
using Linger.Flows;
using Linger.Knowledge;

namespace Linger.Cli.Analyze;

/// <summary>
/// The terminal table of <c>linger analyze</c>: a row per conversation as it ends (with a detail line for resets
/// and failures), then a summary — conversations by verdict, who reset most, the busiest endpoints. The summary
/// keeps counts only, so memory stays bounded however long the capture.
/// </summary>
/// <remarks>
/// Without colour (a file or a pipe) the rows are written straight to the page's writer: a capture can have
/// hundreds of thousands of them, and going through Spectre's markup for each costs far more than the analysis.
/// </remarks>
internal sealed class TableWriter(Page page) : IConversationWriter
{
    private const int MaxCachedErrorTexts = 16;
    private const int MaxCachedDetails = 4096;
    private readonly Dictionary<Verdict, long> _byVerdict = [];
    private readonly List<KeyValuePair<object, string>> _errorTexts = [];
    private readonly Dictionary<DetailKey, string> _plainDetails = [];
    private readonly char[] _row = new char[256];
    private readonly Dictionary<Endpoint, long> _resetters = [];
    private readonly Dictionary<Endpoint, long> _servers = [];
    private long _rows;
    private long _injected;

    public void Begin(DateTimeOffset opened)
    {
        page.Line($"{"VERDICT",-11} {"STATE",-6} {"CLIENT",-21} {"SERVER",-21} {"PKTS",6} {"BYTES C/S",9}", "bold");
    }

    public void Write(ConversationSummary c)
    {
        _rows++;
        _byVerdict[c.Verdict] = _byVerdict.GetValueOrDefault(c.Verdict) + 1;
        Bump(_servers, c.Server);
        if (c.ResetBy is { } by)
        {
            Bump(_resetters, by == Side.Client ? c.Client : c.Server);
        }

        if (c.SuspectedInjection)
        {
            _injected++;
        }

        if (page.Options.Colour)
        {
            var style = c.Verdict switch
            {
                Verdict.Reset or Verdict.Refused or Verdict.Unanswered => "red",
                Verdict.HalfClosed or Verdict.Open or Verdict.Midstream => "yellow",
                _ => null,
            };
            page.Line(Row(c).ToString(), style);
            var detail = Detail(c);
            if (detail.Length > 0)
            {
                page.Wrapped(detail, "  ↳ ", "    ", "dim");
            }

            return;
        }

        page.Writer.Write(Row(c));
        page.Writer.Write('\n');
        page.Writer.Write(PlainDetail(c));
    }

    public void End(DateTimeOffset closed)
    {
        page.Blank();
        page.Heading("Summary");
        page.Line($"  {_rows.ToString("N0", CultureInfo.InvariantCulture)} conversations");
        foreach (var v in Enum.GetValues<Verdict>())
        {
            if (_byVerdict.TryGetValue(v, out var n))
            {
                page.Line($"  {JsonLinesWriter.VerdictName(v),-12} {n.ToString("N0", CultureInfo.InvariantCulture),10}");
            }
        }

        if (_injected > 0)
        {
            page.Line($"  {_injected.ToString("N0", CultureInfo.InvariantCulture)} reset(s) look injected by a third party", "red");
        }

        Top("Who reset most", _resetters, "resets");
        Top("Busiest servers", _servers, "conversations");
    }

    private void Top(string title, Dictionary<Endpoint, long> counts, string unit)
    {
        if (counts.Count == 0)
        {
            return;
        }

        page.Blank();
        page.Heading(title);
        foreach (var (endpoint, n) in counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key.ToString(), StringComparer.Ordinal).Take(5))
        {
            page.Line($"  {endpoint,-40} {n.ToString("N0", CultureInfo.InvariantCulture),10} {unit}");
        }
    }

    private static void Bump(Dictionary<Endpoint, long> counts, Endpoint e)
    {
        // Bounded: past 100,000 distinct endpoints only the ones already counted keep counting.
        if (counts.Count < 100_000 || counts.ContainsKey(e))
        {
            counts[e] = counts.GetValueOrDefault(e) + 1;
        }
    }

    private string Detail(ConversationSummary c)
    {
        var parts = new List<string>();
        if (c.Verdict == Verdict.Reset && c.ResetBy is { } by)
        {
            var who = by == Side.Client ? "client" : "server";
            var text = $"reset by the {who}";
            if (c.AfterFin == true)
            {
                text += " after its own FIN";
            }

            if (c.InReplyToData == true)
            {
                text += ", answering data sent after that FIN";
            }

            if (c.IdleBeforeSeconds is { } idle && idle >= 1)
            {
                text += string.Create(CultureInfo.InvariantCulture, $", after {idle:0.#} s of silence");
            }

            parts.Add(text);
        }

        if (c.SuspectedInjection)
        {
            parts.Add("looks injected: " + string.Join("; ", c.InjectionReasons));
        }

        var errors = LikelyErrorsText(c.LikelyErrors);
        if (errors.Length > 0)
        {
            parts.Add(errors);
        }

        return string.Join("; ", parts);
    }

    /// <summary>The row's text, in the row buffer (valid until the next row), formatted without allocating.</summary>
    private ReadOnlySpan<char> Row(ConversationSummary c)
    {
        Span<char> client = stackalloc char[64];
        c.Client.TryFormat(client, out var n, default, CultureInfo.InvariantCulture);
        if (c.ClientIsGuess)
        {
            client[n++] = '?';
        }

        Span<char> bytes = stackalloc char[48];
        bytes.TryWrite(CultureInfo.InvariantCulture, $"{c.BytesClient}/{c.BytesServer}", out var b);
        _row.AsSpan().TryWrite(
            CultureInfo.InvariantCulture,
            $"{JsonLinesWriter.VerdictName(c.Verdict),-11} {c.ConnState,-6} {client[..n],-21} {c.Server,-21} {c.Packets,6} {bytes[..b],9}",
            out var written);
        return _row.AsSpan(0, written);
    }

    /// <summary>
    /// The detail lines, wrapped, each with its line end: made once for the conversations that end alike (the same
    /// reset facts and the same shared likely errors), which are most of a capture.
    /// </summary>
    private string PlainDetail(ConversationSummary c)
    {
        var cacheable = !c.SuspectedInjection && c.IdleBeforeSeconds is not >= 1;
        var key = new DetailKey(c.Verdict, c.ResetBy, c.AfterFin, c.InReplyToData, c.LikelyErrors);
        if (cacheable && _plainDetails.TryGetValue(key, out var known))
        {
            return known;
        }

        var detail = Detail(c);
        var text = detail.Length == 0 ? string.Empty : string.Concat(TextWrap.Wrap(detail, page.Width, "  ↳ ", "    ").Select(l => l + "\n"));
        if (cacheable)
        {
            if (_plainDetails.Count == MaxCachedDetails)
            {
                _plainDetails.Clear();
            }

            _plainDetails[key] = text;
        }

        return text;
    }

    private static string LikelyErrorsTextOf(IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> all)
    {
        var parts = new List<string>();
        foreach (var (side, errors) in all.OrderBy(p => p.Key))
        {
            if (errors.Count > 0)
            {
                var sideName = side == Side.Client ? "client" : "server";
                var native = errors.Where(e => e.Domain != KnowledgeDomain.DotNet).Select(e => $"{e.DisplayName} on {PlatformName(e.Platform)}");
                var dotnet = errors.Where(e => e.Domain == KnowledgeDomain.DotNet).Select(e => e.DisplayName).Distinct();
                parts.Add($"{sideName} likely saw " + string.Join(", ", native) + $" (.NET: {string.Join(" / ", dotnet)})");
            }
        }

        return string.Join("; ", parts);
    }

    /// <summary>
    /// The likely-errors text, once per set of likely errors: the analyser shares one set between the conversations
    /// that end alike, so a few texts serve a whole capture (compared by reference; a few are kept).
    /// </summary>
    private string LikelyErrorsText(IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> all)
    {
        foreach (var (set, text) in _errorTexts)
        {
            if (ReferenceEquals(set, all))
            {
                return text;
            }
        }

        var made = LikelyErrorsTextOf(all);
        if (_errorTexts.Count == MaxCachedErrorTexts)
        {
            _errorTexts.RemoveAt(0);
        }

        _errorTexts.Add(new(all, made));
        return made;
    }

    private static string PlatformName(OsPlatform p) => p switch
    {
        OsPlatform.Linux => "Linux",
        OsPlatform.MacOS => "macOS",
        OsPlatform.Windows => "Windows",
        _ => string.Empty,
    };

    /// <summary>What a detail text depends on when no injection and no silence of a second or more is in it.</summary>
    private readonly record struct DetailKey(Verdict Verdict, Side? ResetBy, bool? AfterFin, bool? InReplyToData, object LikelyErrors);
}
