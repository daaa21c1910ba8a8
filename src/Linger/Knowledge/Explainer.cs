using System.Globalization;
using System.Text.RegularExpressions;

namespace Linger.Knowledge;

/// <summary>
/// Turns whatever the user typed or pasted — a number in any base, a symbolic name, a log line — into readings of
/// the knowledge base, most likely first, each with the reason it was chosen.
/// </summary>
public sealed partial class Explainer(KnowledgeBase kb)
{
    private const int Certain = 100;

    /// <summary>Explains <paramref name="input"/>.</summary>
    public Explanation Explain(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var text = input.Trim().Trim('"', '\'', '`').Trim();
        var found = new Dictionary<string, Reading>(StringComparer.Ordinal);
        if (text.Length == 0)
        {
            return new Explanation(input, [], []);
        }

        if (!WholeName(text, found) && !WholeNumber(text, found) && !WholeEnhanced(text, found))
        {
            Pasted(text, found);
        }

        ApplyHints(text, found);
        var readings = found.Values
            .OrderByDescending(r => r.Score)
            .ThenBy(r => (int)r.Entry.Domain)
            .ThenBy(r => r.Entry.Id, StringComparer.Ordinal)
            .ToList();
        return new Explanation(input, readings, readings.Count == 0 ? Suggest(text) : []);
    }

    /// <summary>The nearest known names to <paramref name="text"/>, for a "did you mean" list.</summary>
    public IReadOnlyList<string> Suggest(string text, int count = 5)
    {
        var probe = text.Trim().ToUpperInvariant();
        if (probe.Length > 40)
        {
            probe = probe[..40];
        }

        return kb.AllNames
            .Select(n => (Name: n, Distance: Levenshtein(probe, n.ToUpperInvariant())))
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Name.Length)
            .ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(count)
            .Select(x => x.Name)
            .ToList();
    }

    private bool WholeName(string text, Dictionary<string, Reading> found)
    {
        var name = StripQualifier(text);
        var entries = kb.FindByName(name);
        foreach (var e in entries)
        {
            Add(found, e, Certain, [], name, new Why("name", name));
        }

        return entries.Count > 0;
    }

    private static string StripQualifier(string text)
    {
        foreach (var prefix in (ReadOnlySpan<string>)["System.Net.Sockets.SocketError.", "SocketError."])
        {
            if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return text[prefix.Length..];
            }
        }

        return text;
    }

    private bool WholeNumber(string text, Dictionary<string, Reading> found)
    {
        if (!TryParseNumber(text, out var value, out var hex))
        {
            return false;
        }

        ReadNumber(value, text, Certain, hex, found);
        return true;
    }

    private bool WholeEnhanced(string text, Dictionary<string, Reading> found)
    {
        var m = EnhancedCode().Match(text);
        if (!m.Success || m.Length != text.Length)
        {
            return false;
        }

        ReadEnhanced(m, Certain, found);
        return true;
    }

    private void Pasted(string text, Dictionary<string, Reading> found)
    {
        // Texts that programs print are the strongest evidence in a pasted line: they name the program and the condition.
        var spans = new List<(int Start, int End)>();
        foreach (var e in kb.Entries)
        {
            foreach (var message in e.Messages)
            {
                var at = message.Length >= 3 ? text.IndexOf(message, StringComparison.OrdinalIgnoreCase) : -1;
                if (at >= 0)
                {
                    // Longer texts are more specific: FileZilla's "ECONNRESET - Connection reset by peer" beats libc's phrase.
                    var score = 88 + Math.Min(message.Length / 8, 10);
                    spans.Add((at, at + message.Length));
                    Add(found, e, score, [], message, e.Program is { } program ? new Why("message", message, program) : new Why("message-" + e.Domain.ToWireName(), message));
                }
            }
        }

        foreach (Match m in NameToken().Matches(text))
        {
            var token = m.Value;
            var insideMessage = spans.Any(s => m.Index >= s.Start && m.Index + m.Length <= s.End);
            foreach (var e in kb.FindByName(StripQualifier(token)))
            {
                // A bare CamelCase word such as "Shutdown" in prose is weak evidence; a qualified or upper-case name is strong.
                var strong = token.Contains('_', StringComparison.Ordinal) || token.All(c => !char.IsLower(c))
                    || token.StartsWith("SocketError.", StringComparison.Ordinal);
                var exactCase = e.AllNames.Any(n => string.Equals(n, StripQualifier(token), StringComparison.Ordinal));
                if (!strong && !exactCase)
                {
                    continue;
                }

                Add(found, e, insideMessage ? 80 : strong ? 95 : 60, [], token, new Why("name", token));
            }
        }

        foreach (Match m in PythonErrno().Matches(text))
        {
            ReadContextNumber(m, "errno", found);
        }

        foreach (Match m in WinError().Matches(text))
        {
            ReadContextNumber(m, "winsock", found);
        }

        foreach (Match m in CurlExit().Matches(text))
        {
            ReadContextNumber(m, "curl", found);
        }

        foreach (Match m in SocketErrorNumber().Matches(text))
        {
            ReadContextNumber(m, "winsock", found);
        }

        foreach (Match m in ErrnoNumber().Matches(text))
        {
            ReadContextNumber(m, "errno", found);
        }

        foreach (Match m in ReplyLine().Matches(text))
        {
            var n = long.Parse(m.Groups["code"].Value, CultureInfo.InvariantCulture);
            ReadNumber(n, m.Groups["code"].Value, 96, false, found, only: d => d is KnowledgeDomain.Ftp or KnowledgeDomain.Smtp, penalize: false);
        }

        // "554 5.7.1 ...": a reply code followed by an enhanced status code can only be SMTP.
        foreach (Match m in SmtpReplyWithStatus().Matches(text))
        {
            var n = long.Parse(m.Groups["code"].Value, CultureInfo.InvariantCulture);
            ReadNumber(n, m.Groups["code"].Value, 97, false, found, only: d => d is KnowledgeDomain.Smtp, penalize: false);
        }

        foreach (Match m in EnhancedCode().Matches(text))
        {
            ReadEnhanced(m, 90, found);
        }

        foreach (Match m in HexNumber().Matches(text))
        {
            if (TryParseNumber(m.Value, out var v, out _))
            {
                ReadNumber(v, m.Value, 96, true, found);
            }
        }

        // Any other number is weak evidence: read it, but below everything the context pointed at.
        foreach (Match m in BareNumber().Matches(text))
        {
            if (long.TryParse(m.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && !HexNumber().IsMatch(m.Value))
            {
                ReadNumber(v, m.Value, 55, false, found);
            }
        }
    }

    private void ReadContextNumber(Match m, string domain, Dictionary<string, Reading> found)
    {
        var digits = m.Groups["n"].Value;
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            return;
        }

        var why = new Why("context-" + domain, m.Value.Trim());
        switch (domain)
        {
            case "errno":
                foreach (var r in kb.FindByNumber(n))
                {
                    if (r.Entry.Domain == KnowledgeDomain.Errno && r.Platform is { } p)
                    {
                        // Python and most runtimes print the number of the OS they run on; Linux is the usual server OS.
                        Add(found, r.Entry, p == OsPlatform.Linux ? 98 : 90, [p], m.Value.Trim(), why, PlatformWhy(p, digits));
                    }
                }

                break;
            case "winsock":
                ReadNumber(n, m.Value.Trim(), 98, false, found, only: d => d is KnowledgeDomain.WinSock or KnowledgeDomain.Overlapped, extra: why, penalize: false);
                break;
            case "curl":
                ReadNumber(n, m.Value.Trim(), 98, false, found, only: d => d is KnowledgeDomain.Curl, extra: why, penalize: false);
                break;
        }
    }

    private void ReadEnhanced(Match m, int score, Dictionary<string, Reading> found)
    {
        var cls = m.Groups["class"].Value;
        var detail = $"smtp.x.{m.Groups["subject"].Value}.{m.Groups["detail"].Value}";
        if (kb.Find(detail) is { } e)
        {
            Add(found, e, score, [], m.Value, new Why("enhanced", m.Value));
        }

        if (kb.Find("smtp.class." + cls) is { } c)
        {
            Add(found, c, score - 5, [], m.Value, new Why("enhanced-class", m.Value, cls));
        }
    }

    private void ReadNumber(long value, string matched, int top, bool hex, Dictionary<string, Reading> found,
        Func<KnowledgeDomain, bool>? only = null, Why? extra = null, bool penalize = true)
    {
        var hexWhy = hex ? new Why("hex", matched, value.ToString(CultureInfo.InvariantCulture)) : null;
        var candidates = new List<(NumberReading Reading, int Score, Why Why)>();
        foreach (var r in kb.FindByNumber(value))
        {
            candidates.Add((r, penalize ? top - Penalty(r, value) : top, NumberWhy(r, value)));
        }

        // A negative decimal is usually an HRESULT printed as a signed 32-bit integer.
        if (value is < 0 and >= int.MinValue)
        {
            var unsigned = value + 0x1_0000_0000L;
            foreach (var r in kb.FindByNumber(unsigned))
            {
                candidates.Add((r, top - 2, new Why("signed", matched, "0x" + unsigned.ToString("X8", CultureInfo.InvariantCulture))));
            }
        }

        // HRESULT_FROM_WIN32: 0x8007xxxx carries a Win32 (here: WinSock) code in its low word.
        var u = value < 0 ? value + 0x1_0000_0000L : value;
        if ((u & 0xFFFF_0000L) == 0x8007_0000L)
        {
            foreach (var r in kb.FindByNumber(u & 0xFFFF))
            {
                if (r.Entry.Domain is KnowledgeDomain.WinSock or KnowledgeDomain.Overlapped)
                {
                    candidates.Add((r, top - 3, new Why("hresult-win32", "0x" + u.ToString("X8", CultureInfo.InvariantCulture), (u & 0xFFFF).ToString(CultureInfo.InvariantCulture))));
                }
            }
        }

        foreach (var (r, score, why) in candidates)
        {
            if (only is not null && !only(r.Entry.Domain))
            {
                continue;
            }

            // Outlook codes are always written in hex; saying so adds nothing.
            var showHex = r.Entry.Domain != KnowledgeDomain.Outlook ? hexWhy : null;
            Why[] reasons = [.. new[] { extra, why, showHex }.OfType<Why>()];
            Add(found, r.Entry, score, r.Platform is { } p ? [p] : [], matched, reasons);
        }
    }

    private static int Penalty(NumberReading r, long value) => r.Entry.Domain switch
    {
        KnowledgeDomain.WinSock or KnowledgeDomain.Outlook => 0,
        KnowledgeDomain.DotNet => value is >= 10000 and <= 11999 ? 12 : 30,
        KnowledgeDomain.Overlapped => value is >= 995 and <= 997 ? 5 : 35,
        KnowledgeDomain.Errno => r.Platform == OsPlatform.Linux ? 15 : 25,
        KnowledgeDomain.Smtp or KnowledgeDomain.Ftp => 20,
        KnowledgeDomain.Curl => 30,
        _ => 40,
    };

    private static Why NumberWhy(NumberReading r, long value)
    {
        var n = value.ToString(CultureInfo.InvariantCulture);
        return r.Entry.Domain switch
        {
            KnowledgeDomain.WinSock => new Why("winsock-range", n),
            KnowledgeDomain.Overlapped => new Why("overlapped", n),
            KnowledgeDomain.DotNet => new Why("dotnet-value", n, r.Entry.Name ?? r.Entry.Id),
            KnowledgeDomain.Errno => PlatformWhy(r.Platform ?? OsPlatform.Linux, n),
            KnowledgeDomain.Ftp => new Why("ftp-reply", n),
            KnowledgeDomain.Smtp => new Why("smtp-reply", n),
            KnowledgeDomain.Curl => new Why("curl-exit", n),
            KnowledgeDomain.Outlook => new Why("outlook", r.Entry.DisplayCode),
            _ => new Why("number", n),
        };
    }

    private static Why PlatformWhy(OsPlatform p, string? n = null) =>
        p == OsPlatform.Linux ? new Why("linux-errno", n ?? string.Empty) : new Why("macos-errno", n ?? string.Empty);

    // Words in the input that point at a protocol or platform raise the readings that belong to it.
    private static void ApplyHints(string text, Dictionary<string, Reading> found)
    {
        var smtp = SmtpHint().IsMatch(text);
        var ftp = FtpHint().IsMatch(text);
        var curl = text.Contains("curl", StringComparison.OrdinalIgnoreCase);
        var windows = WindowsHint().IsMatch(text);
        var mac = MacHint().IsMatch(text);
        foreach (var (id, r) in found.ToList())
        {
            var bonus = 0;
            string? hint = null;
            switch (r.Entry.Domain)
            {
                case KnowledgeDomain.Smtp or KnowledgeDomain.SmtpEnhanced or KnowledgeDomain.Outlook when smtp:
                    (bonus, hint) = (8, "smtp");
                    break;
                case KnowledgeDomain.Ftp when ftp:
                    (bonus, hint) = (8, "ftp");
                    break;
                case KnowledgeDomain.Curl when curl:
                    (bonus, hint) = (8, "curl");
                    break;
                case KnowledgeDomain.WinSock or KnowledgeDomain.Overlapped when windows:
                    (bonus, hint) = (5, "windows");
                    break;
                case KnowledgeDomain.Errno when mac && r.Platforms.Contains(OsPlatform.MacOS):
                    (bonus, hint) = (12, "macos");
                    break;
            }

            if (bonus > 0)
            {
                found[id] = r with { Score = Math.Min(Certain, r.Score + bonus), Why = [.. r.Why, new Why("hint-" + hint)] };
            }
        }
    }

    private static void Add(Dictionary<string, Reading> found, KnowledgeEntry e, int score, OsPlatform[] platforms, string matched, params Why[] why)
    {
        if (found.TryGetValue(e.Id, out var old))
        {
            var best = score > old.Score;
            found[e.Id] = old with
            {
                Score = Math.Max(old.Score, score),
                Platforms = [.. old.Platforms.Concat(platforms).Distinct().Order()],
                Why = best ? [.. why, .. old.Why.Where(w => !why.Contains(w))] : [.. old.Why, .. why.Where(w => !old.Why.Contains(w))],
                Matched = best ? matched : old.Matched,
            };
            return;
        }

        found[e.Id] = new Reading { Entry = e, Score = Math.Clamp(score, 1, Certain), Platforms = platforms, Why = why, Matched = matched };
    }

    internal static bool TryParseNumber(string text, out long value, out bool hex)
    {
        var s = text.Trim();
        hex = false;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            hex = true;
            return long.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && s.Length <= 18;
        }

        if (s.EndsWith('h') && s.Length > 1 && s.Length <= 9
            && long.TryParse(s.AsSpan(0, s.Length - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value))
        {
            hex = true;
            return true;
        }

        return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }

    [GeneratedRegex(@"(?:SocketError\.)?[A-Za-z][A-Za-z0-9_]{2,}")]
    private static partial Regex NameToken();

    [GeneratedRegex(@"\[Errno\s+(?<n>-?\d{1,4})\]", RegexOptions.IgnoreCase)]
    private static partial Regex PythonErrno();

    [GeneratedRegex(@"\[WinError\s+(?<n>\d{1,5})\]", RegexOptions.IgnoreCase)]
    private static partial Regex WinError();

    [GeneratedRegex(@"curl:?\s*\((?<n>\d{1,3})\)", RegexOptions.IgnoreCase)]
    private static partial Regex CurlExit();

    [GeneratedRegex(@"(?:socket\s+error|winsock\s+error|wsa\s*error|error\s+code|socket\s+error\s*#|error\s*#|error\s+number|error)\s*[:#=]?\s*(?<n>1[01]\d{3})\b", RegexOptions.IgnoreCase)]
    private static partial Regex SocketErrorNumber();

    [GeneratedRegex(@"(?<!\[)\berrno\s*[:=]?\s*(?<n>\d{1,3})\b", RegexOptions.IgnoreCase)]
    private static partial Regex ErrnoNumber();

    [GeneratedRegex(@"(?:^|\n|\b(?:Response|Status|Reply|Error)\s*:\s*|<-\s*|<<<\s*|\bsaid:\s*|\bwith\s+)\s*(?<code>[1-5][0-5]\d)(?=[ -]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyLine();

    [GeneratedRegex(@"\b(?<code>[245][0-5]\d)[ -](?=[245]\.\d{1,3}\.\d{1,3}\b)")]
    private static partial Regex SmtpReplyWithStatus();

    [GeneratedRegex(@"\b(?<class>[245])\.(?<subject>\d{1,3})\.(?<detail>\d{1,3})\b")]
    private static partial Regex EnhancedCode();

    [GeneratedRegex(@"\b0x[0-9A-Fa-f]{1,16}\b")]
    private static partial Regex HexNumber();

    [GeneratedRegex(@"(?<![\w.\-])-?\d{1,10}(?![\w.])")]
    private static partial Regex BareNumber();

    [GeneratedRegex(@"\b(?:smtp|e-?mail|outlook|ehlo|helo|mail from|rcpt to|starttls|postfix|exim|port\s+(?:25|587|465))\b", RegexOptions.IgnoreCase)]
    private static partial Regex SmtpHint();

    [GeneratedRegex(@"\b(?:ftp|ftps|filezilla|pasv|epsv|stor|retr|vsftpd|proftpd|data connection)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FtpHint();

    [GeneratedRegex(@"\b(?:windows|winsock|wsa\w*|winerror|outlook)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WindowsHint();

    [GeneratedRegex(@"\b(?:macos|mac os|darwin|osx|os x|bsd)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MacHint();
}
