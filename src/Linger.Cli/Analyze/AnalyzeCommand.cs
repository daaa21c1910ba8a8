using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Linger.Analysis;
using Linger.Cli.Output;
using Linger.Flows;
using Linger.Wire;
using Linger.Wire.Filtering;

namespace Linger.Cli.Analyze;

/// <summary><c>linger analyze FILE...</c>: how each TCP conversation in a capture ended, and who ended it.</summary>
internal static class AnalyzeCommand
{
    public static readonly string[] Formats = ["table", "jsonl", "zeek"];
    public static readonly string[] Onlys = ["resets", "failures"];

    private const double DefaultIdleSeconds = 3600;

    public static Command Create(TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        var files = new Argument<string[]>("file")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "Capture files: pcap or pcapng (any byte order, µs or ns), optionally gzipped (.gz). Use - for standard input.",
        };
        var filter = new Option<string?>("--filter") { Description = "Only packets matching this expression (host, net, port, src/dst, tcp, ip, ip6, and/or/not, parentheses; see README).", HelpName = "expr" };
        var format = new Option<string>("--format") { Description = "table (default): rows and a summary; jsonl: one JSON object per conversation; zeek: a Zeek conn.log.", DefaultValueFactory = _ => "table", HelpName = "table|jsonl|zeek" };
        format.AcceptOnlyFromAmong(Formats);
        var only = new Option<string?>("--only") { Description = "resets: only conversations that ended with a RST; failures: resets, refused and unanswered connects, and suspected injections.", HelpName = "resets|failures" };
        only.AcceptOnlyFromAmong(Onlys);
        var idle = new Option<double>("--idle-timeout") { Description = "Seconds of capture time after which a silent conversation is reported as it stands (default 3600).", DefaultValueFactory = _ => DefaultIdleSeconds };

        var command = new Command("analyze", "Read captures and say, for every TCP conversation, how it ended (Zeek conn_state and history, and Linger's verdict), who reset it, and what each application most likely saw. Exit codes: 0 done, 2 usage error, 3 a file could not be read.")
        {
            files, filter, format, only, idle,
        };
        command.SetAction(parse =>
        {
            var expression = ParseFilter(parse.GetValue(filter));
            if (parse.GetValue(idle) is var seconds && (seconds <= 0 || double.IsNaN(seconds) || seconds > 86_400 * 365))
            {
                throw new UsageException("--idle-timeout must be a number of seconds above 0.");
            }

            var options = OptionsFor(expression, seconds);
            var paths = parse.GetValue(files) ?? [];
            return Run(paths, options, parse.GetValue(format) ?? "table", parse.GetValue(only), stdout, stderr, console, rawStdout);
        });
        return command;
    }

    /// <summary>The analysis options for a filter and an inactivity timeout.</summary>
    internal static AnalyzeOptions OptionsFor(FilterExpression? filter, double idleSeconds) => new()
    {
        Filter = filter,
        Tracker = new ConversationTrackerOptions { InactivityTimeout = TimeSpan.FromSeconds(idleSeconds) },
    };

    internal static FilterExpression? ParseFilter(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return FilterExpression.Parse(text);
        }
        catch (FilterSyntaxException ex)
        {
            throw new UsageException($"bad --filter: {ex.Message}");
        }
    }

    internal static bool Keep(ConversationSummary c, string? only) => only switch
    {
        "resets" => c.Verdict == Verdict.Reset,
        "failures" => c.Verdict is Verdict.Reset or Verdict.Refused or Verdict.Unanswered || c.SuspectedInjection,
        _ => true,
    };

    private static int Run(string[] paths, AnalyzeOptions options, string format, string? only, TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        foreach (var p in paths)
        {
            if (p != "-" && !File.Exists(p))
            {
                stderr.WriteLine($"linger: {p}: no such file. Give the path of a pcap or pcapng capture (for example one written by 'linger capture -w' or 'tcpdump -w').");
                return ExitCodes.Input;
            }
        }

        stdout.Flush();

        // Conversations are written as UTF-8 bytes, many at a time; the table's header and summary go through a
        // buffered writer (the process's stdout writer flushes every write).
        using var bytes = rawStdout is null ? new TextWriterStream(stdout) : null;
        var output = bytes ?? rawStdout!;
        using var jsonl = format == "jsonl" ? new JsonLinesWriter(output, batchLines: true) : null;
        using var buffered = rawStdout is null || format != "table" ? null : new StreamWriter(rawStdout, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        var text = buffered ?? stdout;
        IConversationWriter inner = format switch
        {
            "jsonl" => jsonl!,
            "zeek" => new ZeekConnLogWriter(output),
            _ => new TableWriter(new Page(text, console), output),
        };
        // If the run stops early (a read error), the rows formatted so far still go out, as a buffered writer's would.
        using var unwritten = inner as IDisposable;
        using var background = new BackgroundWriter(inner);
        var writer = background;
        var progress = new ProgressLine(stderr, console);
        var started = Stopwatch.GetTimestamp();
        var totals = new List<AnalysisTotals>();
        writer.Begin(DateTimeOffset.UtcNow);
        try
        {
            foreach (var path in paths)
            {
                void Emit(ConversationSummary c)
                {
                    if (Keep(c, only))
                    {
                        writer.Write(c);
                    }
                }

                void Progress(long position, long length) => progress.Report(path, position, length);
                try
                {
                    if (path == "-")
                    {
                        totals.Add(AnalyzeStdin(options, Emit));
                    }
                    else
                    {
                        totals.Add(CaptureAnalyzer.AnalyzeFile(path, options, Emit, Progress));
                    }
                }
                catch (CaptureFormatException ex)
                {
                    progress.Clear();
                    writer.End(DateTimeOffset.UtcNow);
                    text.Flush();
                    stderr.WriteLine($"linger: {ex.Message}");
                    stderr.WriteLine("The file is not a readable pcap/pcapng capture (or is damaged at that offset). Conversations before that point were reported.");
                    return ExitCodes.Input;
                }
                catch (IOException ex)
                {
                    progress.Clear();
                    stderr.WriteLine($"linger: {path}: {ex.Message}");
                    return ExitCodes.Input;
                }
                catch (UnauthorizedAccessException ex)
                {
                    progress.Clear();
                    stderr.WriteLine($"linger: {path}: {ex.Message} Check the file's permissions.");
                    return ExitCodes.Input;
                }
            }
        }
        finally
        {
            progress.Clear();
        }

        writer.End(DateTimeOffset.UtcNow);
        text.Flush();
        foreach (var t in totals)
        {
            foreach (var w in t.Warnings)
            {
                stderr.WriteLine($"linger: warning: {w}");
            }
        }

        if (format == "table")
        {
            var page = new Page(text, console);
            page.Blank();
            foreach (var t in totals)
            {
                var d = t.Decode;
                var counts = string.Create(CultureInfo.InvariantCulture, $"{d.Frames:N0} frames, {d.Tcp:N0} TCP packets ({t.Accepted:N0} matched), {t.Conversations:N0} conversations");
                if (t.Source.Length + 2 + counts.Length <= page.Width)
                {
                    page.Line($"{t.Source}: {counts}", "dim");
                }
                else
                {
                    // The file's name whole on its line (as a path to copy), the counts wrapped between words below.
                    page.Line($"{t.Source}:", "dim");
                    page.Wrapped(counts, "  ", "  ", "dim");
                }
            }

            page.Line(string.Create(CultureInfo.InvariantCulture, $"analysed in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.00} s"), "dim");
            text.Flush();
        }

        return ExitCodes.Ok;
    }

    private static AnalysisTotals AnalyzeStdin(AnalyzeOptions options, Action<ConversationSummary> emit)
    {
        using var input = Console.OpenStandardInput();
        using var source = Wire.Files.CaptureFile.Open(input, "(standard input)");
        return CaptureAnalyzer.Analyze(source, "(standard input)", options, emit);
    }
}
