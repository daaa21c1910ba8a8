using System.Text;

namespace Linger.Cli.Probe;

/// <summary>
/// Where a probe's password comes from: an environment variable, else a prompt on the terminal without echo. Never
/// from the command line (it would show in the process list and the shell's history).
/// </summary>
internal static class PasswordSource
{
    private const int MaxLength = 1024;

    /// <summary>
    /// The password of <paramref name="user"/> from <paramref name="variable"/>. When it is unset: a usage error if
    /// the user named the variable explicitly (<paramref name="variableNamed"/>) or no terminal can ask, else a prompt.
    /// </summary>
    public static string Read(string user, string variable, bool variableNamed, TextWriter stderr)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }

        if (variableNamed)
        {
            throw new UsageException($"--password-env names {variable}, but that environment variable is not set; set it to the password of {user}.");
        }

        if (Console.IsInputRedirected)
        {
            throw new UsageException($"no password for {user}: set the environment variable {variable} (or name another with --password-env), or run at a terminal to be asked.");
        }

        stderr.Write($"Password for {user} (not shown): ");
        stderr.Flush();
        var password = new StringBuilder();
        while (password.Length <= MaxLength)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                stderr.WriteLine();
                return password.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                password.Length = Math.Max(0, password.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        stderr.WriteLine();
        throw new UsageException($"the password is longer than {MaxLength} characters.");
    }
}
