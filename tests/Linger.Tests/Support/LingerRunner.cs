using System.Diagnostics;
using Linger.Cli;
using Linger.Cli.Output;

namespace Linger.Tests.Support;

/// <summary>Runs the <c>linger</c> command, in-process or as a real child process, and captures what it prints.</summary>
internal static class LingerRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>In-process: the same entry point as the executable, plain 80-column output.</summary>
    public static Result Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = LingerApp.Run(args, stdout, stderr, ConsoleOptions.Plain);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A real process (<c>dotnet linger.dll ...</c>) with redirected output, as a script would run it.</summary>
    public static async Task<Result> RunProcessAsync(IDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "linger.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
