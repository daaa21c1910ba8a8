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
        var code = LingerApp.Run(args, stdout, stderr, ConsoleOptions.Plain);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A real process (<c>dotnet linger.dll ...</c>) with redirected output, as a script would run it.</summary>
    public static Task<Result> RunProcessAsync(IDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet");
        psi.ArgumentList.Add(LingerDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return RunAsync(psi, environment);
    }

    /// <summary>
    /// A real process on a pseudo-terminal (util-linux <c>script</c>), as a person at a terminal would run it.
    /// Arguments must not need shell quoting.
    /// </summary>
    public static Task<Result> RunInTerminalAsync(IDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("script");
        foreach (var a in (string[])["-qec", $"dotnet {LingerDll} {string.Join(' ', args)}", "/dev/null"])
        {
            psi.ArgumentList.Add(a);
        }

        return RunAsync(psi, environment);
    }

    /// <summary>
    /// Starts a long-running <c>linger</c> (a capture) and returns once it has printed <paramref name="readyText"/> on
    /// standard error. Stop it with <see cref="Running.InterruptAsync"/>.
    /// </summary>
    public static async Task<Running> StartAsync(string readyText, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(LingerDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var running = new Running(process);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!running.Stderr.Contains(readyText, StringComparison.Ordinal))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"linger exited with {process.ExitCode} before it was ready: {running.Stderr}");
            }

            await Task.Delay(50, cts.Token);
        }

        return running;
    }

    /// <summary>A <c>linger</c> process still running, with what it has printed so far.</summary>
    public sealed class Running : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _stderr = new();
        private readonly Task<string> _stdout;

        internal Running(Process process)
        {
            _process = process;
            process.StandardInput.Close();
            _stdout = process.StandardOutput.ReadToEndAsync();
            process.ErrorDataReceived += (_, e) =>
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            };
            process.BeginErrorReadLine();
        }

        public string Stderr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        /// <summary>Sends SIGINT (as Ctrl+C would) and waits for the process to finish.</summary>
        public async Task<Result> InterruptAsync()
        {
            using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit();
            return new Result(_process.ExitCode, await _stdout, Stderr);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }

    private static string LingerDll => Path.Combine(AppContext.BaseDirectory, "linger.dll");

    private static async Task<Result> RunAsync(ProcessStartInfo psi, IDictionary<string, string>? environment)
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
