using System.Diagnostics;
using Linger.Cli;
using Linger.Cli.Output;

namespace Linger.Tests.Support;

/// <summary>Runs the <c>linger</c> command, in-process or as a real child process, and captures what it prints.</summary>
public static class LingerRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>In-process: the same entry point as the executable, plain 80-column output.</summary>
    public static Result Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = LingerApp.Run(args, stdout, stderr, ConsoleOptions.Plain, rawStdout: null);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// A real process (<c>dotnet linger.dll ...</c>, or <see cref="OtherExecutable"/>) with redirected output, as a
    /// script would run it.
    /// </summary>
    public static Task<Result> RunProcessAsync(IDictionary<string, string>? environment, params string[] args)
    {
        return RunAsync(StartInfo(args), environment);
    }

    /// <summary>How to start linger with these arguments: <c>dotnet linger.dll ARGS</c>, or <see cref="OtherExecutable"/>.</summary>
    public static (string File, string[] Arguments) Command(params string[] args) =>
        OtherExecutable is { } executable ? (executable, args) : JitCommand(args);

    /// <summary>The JIT build beside the tests, <c>dotnet linger.dll ARGS</c>, whatever LINGER_TEST_EXECUTABLE says.</summary>
    public static (string File, string[] Arguments) JitCommand(params string[] args) => ("dotnet", [LingerDll, .. args]);

    /// <summary>A process start for linger with these arguments (<see cref="Command"/>).</summary>
    public static ProcessStartInfo StartInfo(params string[] args) => StartInfo(Command(args));

    /// <summary>A process start for a command and its arguments.</summary>
    public static ProcessStartInfo StartInfo((string File, string[] Arguments) command)
    {
        var (file, arguments) = command;
        var psi = new ProcessStartInfo(file);
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    /// <summary>linger as a shell command line (arguments to follow, unquoted).</summary>
    public static string ShellCommand => OtherExecutable ?? $"dotnet {LingerDll}";

    /// <summary>
    /// A real process on a pseudo-terminal (util-linux <c>script</c>), as a person at a terminal would run it.
    /// Arguments must not need shell quoting.
    /// </summary>
    public static Task<Result> RunInTerminalAsync(IDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("script");
        foreach (var a in (string[])["-qec", $"{ShellCommand} {string.Join(' ', args)}", "/dev/null"])
        {
            psi.ArgumentList.Add(a);
        }

        return RunAsync(psi, environment);
    }

    /// <summary>
    /// The executable named by LINGER_TEST_EXECUTABLE, to run the tests' child processes with another build of linger
    /// than the JIT build beside the tests (the precompiled one: <c>dotnet publish src/Linger.Cli -r linux-x64</c>), or
    /// null. The ordinary test run leaves it unset; the precompiled build's own tests compare it with the JIT build.
    /// </summary>
    public static string? OtherExecutable =>
        Environment.GetEnvironmentVariable("LINGER_TEST_EXECUTABLE") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>The built linger.dll, to run with <c>dotnet</c>.</summary>
    public static string LingerDll => Path.Combine(AppContext.BaseDirectory, "linger.dll");

    /// <summary>
    /// Runs a prepared process start (output and input redirected here) with extra environment variables; killed after
    /// <paramref name="timeout"/> (a minute unless said).
    /// </summary>
    internal static async Task<Result> RunAsync(ProcessStartInfo psi, IDictionary<string, string>? environment, TimeSpan? timeout = null)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
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
