using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Linger.Lab.Namespaces;

/// <summary>
/// Runs one of the network tools the lab drives (ip, nft, sysctl, tc) as a child process, with a timeout, and keeps
/// what it printed. A missing tool, a non-zero exit and a timeout are outcomes, not exceptions.
/// </summary>
internal static class NetworkCommand
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>, feeding it <paramref name="input"/> when given.</summary>
    public static async Task<CommandOutcome> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? input = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var line = CommandLine(program, arguments);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            return new CommandOutcome(line, -1, string.Empty, $"{program}: {e.Message}{Hint(program)}");
        }

        using (process)
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                return new CommandOutcome(line, -1, string.Empty, $"{program} did not finish within {Limit.TotalSeconds:0} s and was stopped");
            }

            return new CommandOutcome(line, process.ExitCode, (await output.ConfigureAwait(false)).Trim(), (await error.ConfigureAwait(false)).Trim());
        }
    }

    /// <summary>Runs the command and throws when it fails (for setting up and removing the topology).</summary>
    public static async Task<CommandOutcome> RunCheckedAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? input = null)
    {
        var outcome = await RunAsync(program, arguments, cancellationToken, input).ConfigureAwait(false);
        return outcome.Succeeded ? outcome : throw new InvalidOperationException($"`{outcome.CommandLine}` failed: {outcome.Message}");
    }

    /// <summary>The command as a shell would show it.</summary>
    public static string CommandLine(string program, IReadOnlyList<string> arguments)
    {
        var text = new StringBuilder(program);
        foreach (var argument in arguments)
        {
            text.Append(' ');
            text.Append(argument.Length == 0 || argument.Contains(' ', StringComparison.Ordinal) || argument.Contains('"', StringComparison.Ordinal)
                ? $"'{argument}'"
                : argument);
        }

        return text.ToString();
    }

    private static string Hint(string program) => program switch
    {
        "nft" => " (install nftables: apt-get install nftables)",
        "ip" or "tc" => " (install iproute2: apt-get install iproute2)",
        "sysctl" => " (install procps: apt-get install procps)",
        _ => string.Empty,
    };
}
