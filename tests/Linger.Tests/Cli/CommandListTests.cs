using Linger.Cli;
using Linger.Tests.Support;

namespace Linger.Tests.Cli;

/// <summary>
/// The list of commands that explain uses to label a hint "coming" is the list `linger --help` shows: a command that
/// lands is never called coming, and one that does not exist is never shown as if it did.
/// </summary>
public sealed class CommandListTests
{
    [Fact]
    public void The_commands_explain_knows_are_the_commands_help_lists()
    {
        var help = LingerRunner.Run("--help").Stdout.Split('\n');
        var listed = help.SkipWhile(l => l.Trim() != "Commands:").Skip(1)
            .TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal))
            .Where(l => l.Length > 2 && l[2] != ' ') // a wrapped description continues further in
            .Select(l => l.Trim().Split(' ')[0])
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(listed);
        Assert.Equal(listed.Order(StringComparer.Ordinal), LingerApp.Commands.Order(StringComparer.Ordinal));
    }
}
