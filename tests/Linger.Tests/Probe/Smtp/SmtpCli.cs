using System.CommandLine;
using Linger.Cli;
using Linger.Cli.Output;
using Linger.Cli.Probe;

namespace Linger.Tests.Probe.Smtp;

/// <summary>Runs <c>linger probe smtp ...</c> in-process through its command, as LingerApp will once it is wired.</summary>
public static class SmtpCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand("test");
        var probe = new Command("probe", "test");
        probe.Subcommands.Add(ProbeSmtpCommand.Create(stdout, stderr, ConsoleOptions.Plain, null));
        root.Subcommands.Add(probe);
        int code;
        var parse = root.Parse(["probe", "smtp", .. args]);
        if (parse.Errors.Count > 0)
        {
            return new Result(ExitCodes.Usage, string.Empty, string.Join('\n', parse.Errors.Select(e => e.Message)));
        }

        try
        {
            code = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"linger: {e.Message}");
            code = ExitCodes.Usage;
        }

        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}
