using System.Globalization;
using System.Runtime.CompilerServices;
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
/// Without colour (a file or a pipe) the rows bypass Spectre: a capture can have hundreds of thousands of them, and
/// going through Spectre's markup for each costs far more than the analysis. They are formatted as UTF-8 bytes into
/// one buffer (the fixed columns from tables, the detail lines once per kind of ending) and handed to
/// <paramref name="rows"/> many at a time; without it (a live capture) each row goes to the page's writer as it ends.
/// </remarks>
/// <param name="page">Where the header, the summary, and coloured rows go.</param>
/// <param name="rows">
/// Where the plain rows go, as bytes, batched; the page's writer is flushed before the first, and the rows are handed
/// over before the summary is written to the page.
/// </param>
internal sealed class TableWriter(Page page, Stream? rows = null) : IRowsInParallel, IDisposable
{
    private const int MaxCachedErrorTexts = 16;
    private const int BatchBytes = 1 << 16;

    // Room for a row without its detail lines: the widest endpoints and numbers fit with room to spare.
    private const int RowBytes = 512;

    // Detail lines cached per kind of ending (verdict × who reset × after its FIN × in reply to data, each of the
    // last three unknown, no or yes), a few sets of likely errors each.
    private const int ResetFactKinds = 3 * 3 * 3;
    private const int DetailWays = 4;
    private const int EndpointLimit = 100_000;

    // The fixed columns, padded, with the space after them, by enum value (plain loops: generic LINQ over enums would
    // be compiled at run time).
    private static readonly byte[][] VerdictColumn = Columns(Enum.GetNames<Verdict>().Length, v => JsonLinesWriter.VerdictName((Verdict)v), 11);
    private static readonly byte[][] StateColumn = Columns(Enum.GetNames<ZeekConnState>().Length, v => ((ZeekConnState)v).ToString(), 6);

    private readonly long[] _byVerdict = new long[VerdictColumn.Length];
    private readonly List<KeyValuePair<object, string>> _errorTexts = [];
    private readonly DetailBytes?[] _details = new DetailBytes?[VerdictColumn.Length * ResetFactKinds * DetailWays];
    private readonly EndpointCounts _resetters = new(EndpointLimit);
    private readonly EndpointCounts _servers = new(EndpointLimit);
    private byte[] _buffer = new byte[BatchBytes + RowBytes];
    private int _length;
    private long _rows;
    private long _injected;

    public void Begin(DateTimeOffset opened)
    {
        page.Line($"{"VERDICT",-11} {"STATE",-6} {"CLIENT",-21} {"SERVER",-21} {"PKTS",6} {"BYTES C/S",9}", "bold");
        if (rows is not null)
        {
            page.Writer.Flush();
        }
    }

    [MethodImpl(Compile.Hot)]
    public void Write(ConversationSummary c)
    {
        Count(c);
        if (page.Options.Colour)
        {
            var style = c.Verdict switch
            {
                Verdict.Reset or Verdict.Refused or Verdict.Unanswered => "red",
                Verdict.HalfClosed or Verdict.Open or Verdict.Midstream => "yellow",
                _ => null,
            };
            var start = _length;
            Row(c);
            var row = System.Text.Encoding.UTF8.GetString(_buffer, start, _length - start - 1);
            _length = start;
            page.Line(row, style);
            var detail = Detail(c);
            if (detail.Length > 0)
            {
                page.Wrapped(detail, "  ↳ ", "    ", "dim");
            }

            return;
        }

        FormatRow(c);
    }

    [MethodImpl(Compile.Hot)]
    public void FormatRow(ConversationSummary c)
    {
        Row(c);
        PlainDetail(c);
        if (rows is null || _length >= BatchBytes)
        {
            Drain();
        }
    }

    public IRowsInParallel? CreateTwin(Stream sink) => page.Options.Colour || rows is null ? null : new TableWriter(page, sink);

    public void HandOver() => Drain();

    [MethodImpl(Compile.Hot)]
    public void WriteFormatted(ReadOnlySpan<ConversationSummary> conversations, ReadOnlySpan<byte> formatted)
    {
        foreach (var c in conversations)
        {
            Count(c);
        }

        Drain();
        rows!.Write(formatted);
    }

    public void End(DateTimeOffset closed)
    {
        Drain();
        page.Blank();
        page.Heading("Summary");
        page.Line($"  {_rows.ToString("N0", CultureInfo.InvariantCulture)} conversations");
        for (var v = 0; v < _byVerdict.Length; v++)
        {
            if (_byVerdict[v] is var n and > 0)
            {
                page.Line($"  {JsonLinesWriter.VerdictName((Verdict)v),-12} {n.ToString("N0", CultureInfo.InvariantCulture),10}");
            }
        }

        if (_injected > 0)
        {
            page.Line($"  {_injected.ToString("N0", CultureInfo.InvariantCulture)} reset(s) look injected by a third party", "red");
        }

        Top("Who reset most", _resetters, "resets");
        Top("Busiest servers", _servers, "conversations");
    }

    /// <summary>Hands over the rows formatted so far (none after <see cref="End"/>).</summary>
    public void Dispose() => Drain();

    private static byte[][] Columns(int count, Func<int, string> text, int width)
    {
        var columns = new byte[count][];
        for (var v = 0; v < count; v++)
        {
            columns[v] = System.Text.Encoding.ASCII.GetBytes(text(v).PadRight(width) + " ");
        }

        return columns;
    }

    private void Top(string title, EndpointCounts counts, string unit)
    {
        if (counts.Count == 0)
        {
            return;
        }

        page.Blank();
        page.Heading(title);
        foreach (var top in counts.Top(5))
        {
            page.Line($"  {top.Endpoint,-40} {top.Count.ToString("N0", CultureInfo.InvariantCulture),10} {unit}");
        }
    }

    /// <summary>What the summary counts of a conversation.</summary>
    private void Count(ConversationSummary c)
    {
        _rows++;
        _byVerdict[(int)c.Verdict]++;
        _servers.Add(c.Server);
        if (c.ResetBy is { } by)
        {
            _resetters.Add(by == Side.Client ? c.Client : c.Server);
        }

        if (c.SuspectedInjection)
        {
            _injected++;
        }
    }

    /// <summary>Hands the formatted rows over: to <c>rows</c>, or as text to the page's writer.</summary>
    private void Drain()
    {
        if (_length == 0)
        {
            return;
        }

        if (rows is not null)
        {
            rows.Write(_buffer, 0, _length);
        }
        else
        {
            page.Writer.Write(System.Text.Encoding.UTF8.GetString(_buffer, 0, _length));
        }

        _length = 0;
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Drain();
            if (more > _buffer.Length)
            {
                _buffer = new byte[more];
            }
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

    /// <summary>
    /// Appends the row and its line end to the buffer, as
    /// <c>$"{verdict,-11} {state,-6} {client,-21} {server,-21} {packets,6} {bytes_client/bytes_server,9}"</c> writes it.
    /// </summary>
    [MethodImpl(Compile.Hot)]
    private void Row(ConversationSummary c)
    {
        Ensure(RowBytes);
        var line = _buffer.AsSpan(_length);
        var verdict = VerdictColumn[(int)c.Verdict];
        verdict.AsSpan().CopyTo(line);
        var n = verdict.Length;
        var state = StateColumn[(int)c.ConnState];
        state.AsSpan().CopyTo(line[n..]);
        n += state.Length;

        var column = n;
        n += AsciiText.Endpoint(c.Client, line[n..]);
        if (c.ClientIsGuess)
        {
            line[n++] = (byte)'?';
        }

        n = AsciiText.PadTo(line, n, column + 21);
        line[n++] = (byte)' ';
        column = n;
        n += AsciiText.Endpoint(c.Server, line[n..]);
        n = AsciiText.PadTo(line, n, column + 21);
        line[n++] = (byte)' ';

        n = RightAligned(line, n, c.Packets, 6);
        line[n++] = (byte)' ';

        // "client/server", right-aligned in 9: the width is known before the digits are written.
        var width = NumberWidth(c.BytesClient) + 1 + NumberWidth(c.BytesServer);
        for (; width < 9; width++)
        {
            line[n++] = (byte)' ';
        }

        n += AsciiText.Number(c.BytesClient, line[n..]);
        line[n++] = (byte)'/';
        n += AsciiText.Number(c.BytesServer, line[n..]);
        line[n++] = (byte)'\n';
        _length += n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NumberWidth(long value) => value < 0 ? value.ToString(CultureInfo.InvariantCulture).Length : AsciiText.CountDigits((ulong)value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RightAligned(Span<byte> line, int n, long value, int width)
    {
        for (var w = NumberWidth(value); w < width; w++)
        {
            line[n++] = (byte)' ';
        }

        return n + AsciiText.Number(value, line[n..]);
    }

    /// <summary>
    /// Appends the detail lines, wrapped, each with its line end: made once for the conversations that end alike (the
    /// same reset facts and the same shared likely errors), which are most of a capture.
    /// </summary>
    [MethodImpl(Compile.Hot)]
    private void PlainDetail(ConversationSummary c)
    {
        if (c.SuspectedInjection || c.IdleBeforeSeconds is >= 1)
        {
            Append(DetailText(c));
            return;
        }

        // What a detail text depends on otherwise: the reset facts (a slot each) and the likely errors (compared by
        // reference, a few per slot).
        var kind = ((((int)c.Verdict * 3) + Tri(c.ResetBy is { } by ? by == Side.Server : null)) * 9) + (Tri(c.AfterFin) * 3) + Tri(c.InReplyToData);
        var ways = _details.AsSpan(kind * DetailWays, DetailWays);
        var errors = c.LikelyErrors;
        for (var i = 0; i < ways.Length; i++)
        {
            var known = ways[i];
            if (known is null)
            {
                break;
            }

            if (ReferenceEquals(known.Errors, errors))
            {
                Append(known.Text);
                return;
            }
        }

        var made = new DetailBytes(errors, DetailText(c));
        ways[..^1].CopyTo(ways[1..]);
        ways[0] = made;
        Append(made.Text);
    }

    private static int Tri(bool? value) => value switch
    {
        null => 0,
        false => 1,
        true => 2,
    };

    private byte[] DetailText(ConversationSummary c)
    {
        var detail = Detail(c);
        return detail.Length == 0 ? [] : System.Text.Encoding.UTF8.GetBytes(string.Concat(TextWrap.Wrap(detail, page.Width, "  ↳ ", "    ").Select(l => l + "\n")));
    }

    private void Append(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return;
        }

        Ensure(bytes.Length);
        bytes.AsSpan().CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private static string LikelyErrorsTextOf(IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> all)
    {
        var parts = new List<string>();
        // Client first, then server (a loop rather than ordering the pairs: that generic code would be compiled at run
        // time for a text made a few times).
        foreach (var side in (ReadOnlySpan<Side>)[Side.Client, Side.Server])
        {
            if (all.TryGetValue(side, out var errors) && errors.Count > 0)
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

    /// <summary>A detail text made for one set of likely errors (and the reset facts of its slot).</summary>
    private sealed record DetailBytes(object Errors, byte[] Text);
}
