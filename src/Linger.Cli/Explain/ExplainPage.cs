using System.Globalization;
using Linger.Cli.Output;
using Linger.Knowledge;

namespace Linger.Cli.Explain;

/// <summary>The terminal page of <c>linger explain</c>.</summary>
internal sealed class ExplainPage(Page page, KnowledgeBase kb, CultureInfo culture)
{
    private string T(string key, params object[] args)
    {
        var format = kb.Text(key, culture) ?? key;
        return args.Length == 0 ? format : string.Format(culture, format, args);
    }

    public void Explanation(Explanation explanation, bool all)
    {
        if (!explanation.Found)
        {
            page.Paragraph(T("label.nothing", explanation.Query.Trim()));
            if (explanation.Suggestions.Count > 0)
            {
                page.Paragraph(T("label.suggestions") + ": " + string.Join(", ", explanation.Suggestions));
            }

            page.Paragraph(T("label.try"));
            return;
        }

        var top = explanation.Readings[0];
        Full(top);
        var rest = explanation.Readings.Skip(1).ToList();
        if (rest.Count == 0)
        {
            return;
        }

        page.Blank();
        page.Heading(T("label.other-readings", Short(explanation.Query)));
        foreach (var r in rest)
        {
            if (all)
            {
                page.Blank();
                Full(r);
                continue;
            }

            var view = kb.View(r.Entry, culture);
            page.Wrapped($"{Header(r)} — {view.Title}", "  • ", "    ", "bold");
            page.Paragraph(view.Summary, "    ");
            page.Paragraph(string.Join(" ", r.Why.Select(w => kb.Describe(w, culture)).Distinct()), "    ", "dim");
        }

        if (!all && rest.Any(r => r.Entry.IsFailure))
        {
            page.Blank();
            page.Paragraph(T("label.more-readings"), string.Empty, "dim");
        }
    }

    private static string Short(string query)
    {
        var q = query.Trim().ReplaceLineEndings(" ");
        return q.Length > 40 ? q[..37] + "..." : q;
    }

    private string Header(Reading r)
    {
        var e = r.Entry;
        var domain = T("domain." + e.Domain.ToWireName());
        var code = e.Domain switch
        {
            KnowledgeDomain.Errno => $"{e.Name} ({ErrnoNumbers(e)})",
            KnowledgeDomain.DotNet => $"SocketError.{e.Name} ({e.Number})",
            KnowledgeDomain.Program => e.Program ?? e.Id,
            _ when e.Name is not null && e.Name != e.DisplayCode => $"{e.DisplayCode} {e.Name}",
            _ => e.DisplayCode,
        };
        return $"{code} · {domain}";
    }

    private string ErrnoNumbers(KnowledgeEntry e) =>
        string.Join(", ", e.Numbers.OrderBy(p => p.Key).Select(p => $"{T("platform." + p.Key.ToWireName())} {p.Value}"));

    private void Full(Reading r)
    {
        var view = kb.View(r.Entry, culture);
        var e = r.Entry;
        page.Wrapped(Header(r), string.Empty, "  ", "bold");
        page.Wrapped(view.Title, string.Empty, string.Empty, "bold yellow");
        if (view.Summary.Length > 0)
        {
            page.Paragraph(view.Summary);
        }

        page.Blank();
        page.Wrapped(string.Join(" ", r.Why.Select(w => kb.Describe(w, culture)).Distinct()), T("label.why") + ": ", "  ", "dim");

        var elsewhere = new List<string>();
        if (e.Domain == KnowledgeDomain.Errno && e.DotNet.Count > 0)
        {
            elsewhere.Add($"{T("label.dotnet-reports")}: " + string.Join(", ", e.DotNet.OrderBy(p => p.Key).Select(p => $"{T("platform." + p.Key.ToWireName())} SocketError.{p.Value} ({(int)p.Value})")));
        }

        foreach (var rel in view.Related)
        {
            elsewhere.Add($"{RelatedCode(rel.Entry)} · {T("domain." + rel.Entry.Domain.ToWireName())} — {rel.Title}");
        }

        if (elsewhere.Count > 0)
        {
            page.Blank();
            page.Heading(T("label.same-elsewhere"));
            foreach (var line in elsewhere)
            {
                page.Wrapped(line, "  • ", "    ");
            }
        }

        if (view.Via is { } via)
        {
            page.Blank();
            page.Paragraph(T("label.via", $"{RelatedCode(via)} · {T("domain." + via.Domain.ToWireName())}"), string.Empty, "dim");
        }

        if (view.Wire.Count > 0)
        {
            page.Blank();
            page.Heading(T("label.wire"));
            foreach (var w in view.Wire)
            {
                page.Wrapped(w.Title, "  • ", "    ", "bold");
                page.Paragraph(w.Text, "    ");
            }
        }

        if (view.Causes.Count > 0)
        {
            page.Blank();
            page.Heading(T("label.causes"));
            var rank = 1;
            foreach (var c in view.Causes)
            {
                var number = $"  {rank++}. ";
                page.Wrapped(c.Title, number, new string(' ', number.Length), "bold");
                var pad = new string(' ', number.Length);
                page.Wrapped(c.Confirm, pad + T("label.confirm") + ": ", pad + "  ");
                foreach (var step in c.Cause.Confirm)
                {
                    page.Wrapped(step.Command, $"{pad}  {PlatformPrompt(step.Platform)} ", pad + "      ", "cyan");
                }

                if (c.Cause.LingerCommand is { } lc)
                {
                    page.Wrapped(LingerLine(lc), $"{pad}  ", pad + "      ", "green");
                }

                page.Wrapped(c.Fix, pad + T("label.fix") + ": ", pad + "  ");
            }
        }

        if (view.Differences.Count > 0)
        {
            page.Blank();
            page.Heading(T("label.differences"));
            foreach (var d in view.Differences)
            {
                page.Wrapped(d.Title, "  • ", "    ", "bold");
                foreach (var n in d.Notes)
                {
                    var evidence = n.Note.Evidence == Evidence.Measured
                        ? $"[{T("label.measured")}]"
                        : $"[{T("label.documented")}: {n.Note.Source}]";
                    page.Wrapped($"{n.Text} {evidence}", $"    {T("platform." + n.Note.Platform.ToWireName())}: ", "      ");
                }
            }
        }

        if (e.Sources.Count > 0)
        {
            page.Blank();
            page.Wrapped(string.Join("; ", e.Sources), T("label.sources") + ": ", "  ", "dim");
        }
    }

    private static string PlatformPrompt(OsPlatform p) => p switch
    {
        OsPlatform.Windows => "PS>",
        OsPlatform.MacOS => "mac$",
        OsPlatform.Linux => "linux$",
        _ => "$",
    };

    private string LingerLine(string command)
    {
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var sub = parts.Length > 1 ? parts[1] : string.Empty;
        return LingerApp.Commands.Contains(sub) ? $"$ {command}" : $"$ {command}  ({T("label.linger-coming", sub)})";
    }

    private static string RelatedCode(KnowledgeEntry e) => e.Domain switch
    {
        KnowledgeDomain.Errno => e.Name ?? e.Id,
        KnowledgeDomain.DotNet => $"SocketError.{e.Name}",
        KnowledgeDomain.Program => e.Program ?? e.Id,
        _ when e.Name is not null && e.Name != e.DisplayCode => $"{e.DisplayCode} {e.Name}",
        _ => e.DisplayCode,
    };

    public void List(IReadOnlyList<KnowledgeEntry> entries, string? platform)
    {
        var codeWidth = Math.Min(12, entries.Count == 0 ? 4 : entries.Max(e => ExplainCommand.ListCode(e, platform).Length));
        foreach (var e in entries)
        {
            var listCode = ExplainCommand.ListCode(e, platform);
            var code = listCode.PadRight(codeWidth);
            var name = e.Domain switch
            {
                KnowledgeDomain.Program => e.Program ?? string.Empty,
                _ when e.Name == listCode => string.Empty,
                _ => e.Name ?? string.Empty,
            };
            var head = $"{code}  {name}".TrimEnd();
            page.Wrapped(kb.Title(e, culture), head + (head.Length > 0 ? " — " : string.Empty), new string(' ', codeWidth + 2));
        }

        page.Blank();
        page.Line(T("label.list-count", entries.Count), "dim");
    }
}
