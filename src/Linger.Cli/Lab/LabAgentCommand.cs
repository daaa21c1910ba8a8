using System.CommandLine;
using Linger.Lab.Agents;

namespace Linger.Cli.Lab;

/// <summary>
/// <c>linger lab-agent</c> (hidden): the lab's helper process, a server played by line commands on standard input,
/// one answer line per command on standard output (the protocol is described on <see cref="LabAgentHost"/>).
/// Scenarios start it where a process must crash or restart; people do not run it.
/// </summary>
internal static class LabAgentCommand
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("lab-agent", "The lab's helper process (a server driven by line commands on stdin); started by 'linger lab'.")
        {
            Hidden = true,
        };
        command.SetAction((_, ct) => LabAgentHost.RunAsync(Console.In, stdout, ct));
        return command;
    }
}
