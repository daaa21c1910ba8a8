using System.CommandLine;
using Linger.Cli;
using Linger.Cli.Output;
using Linger.Cli.Probe;

namespace Linger.Tests.Probe;

/// <summary>Runs <c>linger probe ftp ...</c> in-process through the real command (the lead wires <c>probe</c> into
/// the app; here it is mounted the same way under a root command).</summary>
internal static class FtpProbeRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand("test");
        var probe = new Command("probe", "test");
        probe.Subcommands.Add(ProbeFtpCommand.Create(stdout, stderr, ConsoleOptions.Plain, null));
        root.Subcommands.Add(probe);
        var parse = root.Parse(args);
        int code;
        if (parse.Errors.Count > 0)
        {
            code = 2;
            stderr.WriteLine(string.Join("; ", parse.Errors.Select(e => e.Message)));
        }
        else
        {
            try
            {
                code = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            }
            catch (UsageException e)
            {
                stderr.WriteLine($"linger: {e.Message}");
                code = ExitCodes.Usage;
            }
        }

        return (code, stdout.ToString(), stderr.ToString());
    }
}
