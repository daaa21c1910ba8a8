using System.CommandLine;
using Linger.Cli.Explain;
using Linger.Cli.Output;

namespace Linger.Cli;

/// <summary>The <c>linger</c> command tree, and the one place where errors become exit codes.</summary>
internal static class LingerApp
{
    /// <summary>The top-level commands this build has; a knowledge-base hint naming another one is labelled "coming".</summary>
    public static readonly IReadOnlySet<string> Commands = new HashSet<string>(StringComparer.Ordinal) { "explain", "analyze", "capture", "lab", "probe" };

    /// <summary>Runs the command line. <paramref name="rawStdout"/> is the process's standard output as bytes, for
    /// formats written as UTF-8 directly (JSON Lines); null writes them through <paramref name="stdout"/>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout = null)
    {
        var root = new RootCommand("linger: find out why a TCP connection died, show the evidence, and keep applications alive through it.");
        root.Subcommands.Add(ExplainCommand.Create(stdout, stderr, console));
        root.Subcommands.Add(Analyze.AnalyzeCommand.Create(stdout, stderr, console, rawStdout));
        root.Subcommands.Add(Capture.CaptureCommand.Create(stdout, stderr, console, rawStdout));
        root.Subcommands.Add(Lab.LabCommand.Create(stdout, stderr, console, rawStdout));
        root.Subcommands.Add(Probe.ProbeCommand.Create(stdout, stderr, console, rawStdout));
        root.Subcommands.Add(Lab.LabAgentCommand.Create(stdout));

        ParseResult parse;
        try
        {
            parse = root.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            stderr.WriteLine($"linger: {ex.Message}");
            return ExitCodes.Usage;
        }

        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"linger: {error.Message}");
            }

            stderr.WriteLine("Run 'linger --help' (or 'linger COMMAND --help') for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"linger: {ex.Message}");
            return ExitCodes.Usage;
        }
#pragma warning disable CA1031 // The last line of defence: a user never sees a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"linger: internal error: {ex.GetType().Name}: {ex.Message}");
            stderr.WriteLine("This is a bug in linger; please report it with the command you ran.");
            return ExitCodes.Internal;
        }
    }
}

/// <summary>A usage error found after parsing (an empty input, a conflicting option); becomes exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
