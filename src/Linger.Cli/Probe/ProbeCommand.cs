using System.CommandLine;
using Linger.Cli.Output;

namespace Linger.Cli.Probe;

/// <summary><c>linger probe tcp|smtp|ftp|http</c>: finds where the conversation with a real server breaks, and why.</summary>
internal static class ProbeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        var command = new Command("probe", "Talk to a real server the way a support engineer would, stage by stage, and say where the conversation breaks and why. Exit codes: 0 every stage passed, 2 usage error, 4 --capture without privilege, 10-24 the first failing stage (see README).");
        command.Subcommands.Add(ProbeTcpCommand.Create(stdout, stderr, console, rawStdout));
        command.Subcommands.Add(ProbeSmtpCommand.Create(stdout, stderr, console, rawStdout));
        command.Subcommands.Add(ProbeFtpCommand.Create(stdout, stderr, console, rawStdout));
        command.Subcommands.Add(ProbeHttpCommand.Create(stdout, stderr, console, rawStdout));
        return command;
    }
}
