using System.CommandLine;
using System.Globalization;
using Linger.Cli.Output;
using Linger.Knowledge;

namespace Linger.Cli.Explain;

/// <summary><c>linger explain</c>: what a code or message means on each platform, and how to find its cause.</summary>
internal static class ExplainCommand
{
    public static readonly string[] Platforms = ["windows", "linux", "macos", "dotnet", "outlook", "ftp", "smtp", "curl", "programs"];

    public static Command Create(TextWriter stdout, TextWriter stderr, ConsoleOptions console)
    {
        var input = new Argument<string[]>("input")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "A code (10054, 0x800CCC0E, 104), a name (WSAECONNRESET, ECONNRESET, ConnectionReset, IXP_E_FAILED_TO_CONNECT) or a pasted error line. Several words are joined into one text.",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (schema linger.explain/1, see README) instead of the page." };
        var lang = new Option<string?>("--lang") { Description = "Language of the texts: en or ru. Default: the UI culture (LANG)." };
        lang.AcceptOnlyFromAmong(Lang.Supported);
        var list = new Option<bool>("--list") { Description = "List every entry of the knowledge base instead of explaining one." };
        var platform = new Option<string?>("--platform") { Description = "With --list: only one table (" + string.Join('|', Platforms) + ")." };
        platform.AcceptOnlyFromAmong(Platforms);
        platform.HelpName = "table";
        var all = new Option<bool>("--all") { Description = "Show every reading in full, not only the most likely one." };

        var command = new Command("explain", "Explain a socket error code, an errno, an Outlook/FTP/SMTP/curl code or a pasted error message: what it means on each platform, what the wire shows, the likely causes, how to confirm and fix them. Exit codes: 0 found, 1 nothing matched (nearest names suggested), 2 usage error.")
        {
            input, json, lang, list, platform, all,
        };

        command.SetAction(parse =>
        {
            var culture = Lang.Resolve(parse.GetValue(lang));
            var kb = KnowledgeBase.Default;
            var asJson = parse.GetValue(json);
            var words = parse.GetValue(input) ?? [];
            var platformName = parse.GetValue(platform);
            if (parse.GetValue(list))
            {
                if (words.Length > 0)
                {
                    throw new UsageException("--list takes no input; use either 'linger explain --list' or 'linger explain INPUT'.");
                }

                var entries = ListFilter(kb, platformName);
                if (asJson)
                {
                    ExplainJson.WriteList(stdout, kb, entries, platformName, culture);
                }
                else
                {
                    new ExplainPage(new Page(stdout, console), kb, culture).List(entries, platformName);
                }

                return ExitCodes.Ok;
            }

            if (platformName is not null)
            {
                throw new UsageException("--platform goes with --list.");
            }

            // System.CommandLine hands unknown options to a many-valued argument; a lone "-x" word is a mistyped option.
            var unknown = words.FirstOrDefault(w => w.Length > 1 && w[0] == '-' && !w.Contains(' ', StringComparison.Ordinal) && (char.IsLetter(w[1]) || w[1] == '-'));
            if (unknown is not null)
            {
                throw new UsageException($"unknown option '{unknown}' for explain. See 'linger explain --help'.");
            }

            var text = string.Join(' ', words);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new UsageException("explain needs something to explain: a code, a name or a pasted error line (or --list). Example: linger explain 10054");
            }

            var explanation = new Explainer(kb).Explain(text);
            if (asJson)
            {
                ExplainJson.Write(stdout, kb, explanation, culture);
            }
            else
            {
                var page = new ExplainPage(new Page(explanation.Found ? stdout : stderr, console), kb, culture);
                page.Explanation(explanation, parse.GetValue(all));
            }

            return explanation.Found ? ExitCodes.Ok : ExitCodes.NotFound;
        });
        return command;
    }

    internal static List<KnowledgeEntry> ListFilter(KnowledgeBase kb, string? platform) =>
    [
        .. kb.Entries.Where(e => platform switch
        {
            null => true,
            "windows" => e.Domain is KnowledgeDomain.WinSock or KnowledgeDomain.Overlapped,
            "linux" => e.Domain == KnowledgeDomain.Errno && e.Numbers.ContainsKey(OsPlatform.Linux),
            "macos" => e.Domain == KnowledgeDomain.Errno && e.Numbers.ContainsKey(OsPlatform.MacOS),
            "dotnet" => e.Domain == KnowledgeDomain.DotNet,
            "outlook" => e.Domain == KnowledgeDomain.Outlook,
            "ftp" => e.Domain == KnowledgeDomain.Ftp,
            "smtp" => e.Domain is KnowledgeDomain.Smtp or KnowledgeDomain.SmtpEnhanced,
            "curl" => e.Domain == KnowledgeDomain.Curl,
            "programs" => e.Domain == KnowledgeDomain.Program,
            _ => false,
        }),
    ];

    /// <summary>The code of an entry as listed for a platform: an errno shows that platform's number.</summary>
    internal static string ListCode(KnowledgeEntry e, string? platform)
    {
        if (e.Domain == KnowledgeDomain.Errno)
        {
            var p = platform == "macos" ? OsPlatform.MacOS : OsPlatform.Linux;
            if (e.Numbers.TryGetValue(p, out var n))
            {
                return n.ToString(CultureInfo.InvariantCulture);
            }

            return e.Numbers.Count > 0 ? e.Numbers.Values.First().ToString(CultureInfo.InvariantCulture) : string.Empty;
        }

        return e.DisplayCode;
    }
}
