using System.CommandLine;
using System.Text.Json;
using Linger.Cli;
using Linger.Cli.Output;
using Linger.Cli.Probe;

namespace Linger.Tests.Probe;

/// <summary>
/// Runs <c>linger probe tcp|http ...</c> in-process: the probe's own Create(...) inside a root command, with the
/// usage-error handling of <c>LingerApp</c> (the lead wires <c>probe</c> into it at merge).
/// </summary>
internal static class TcpProbeRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
    }

    public static Result Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var probe = new Command("probe", "probe");
        probe.Subcommands.Add(ProbeTcpCommand.Create(stdout, stderr, ConsoleOptions.Plain, null));
        probe.Subcommands.Add(ProbeHttpCommand.Create(stdout, stderr, ConsoleOptions.Plain, null));
        var root = new RootCommand("test") { probe };
        var parse = root.Parse(["probe", .. args]);
        if (parse.Errors.Count > 0)
        {
            return new Result(ExitCodes.Usage, stdout.ToString(), string.Join('\n', parse.Errors.Select(e => e.Message)));
        }

        int code;
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
