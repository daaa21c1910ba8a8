using System.Diagnostics;
using System.Text;
using Linger.Tests.Support;

namespace Linger.Tests.Probe.Smtp;

/// <summary>
/// <c>linger</c> as a real process on a pseudo-terminal (util-linux <c>script</c>), typed at like a person: everything
/// written to the terminal is collected, and <see cref="TypeWhenNotEchoingAsync"/> types a line once the program's
/// terminal has echo turned off, as a person types a password after the prompt appears. Dispose kills the process
/// tree if it is still running.
/// </summary>
public sealed class PromptTerminal : IDisposable
{
    private readonly Process _script;
    private readonly StringBuilder _screen = new();
    private readonly Task _reading;

    /// <summary>
    /// Starts linger with ARGS (<see cref="LingerRunner.ShellCommand"/>; arguments must not need shell quoting) without
    /// <paramref name="unset"/> in its environment.
    /// </summary>
    public PromptTerminal(IEnumerable<string> unset, params string[] args)
    {
        var psi = new ProcessStartInfo("script") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-qec", $"{LingerRunner.ShellCommand} {string.Join(' ', args)}", "/dev/null"])
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var name in unset)
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["NO_COLOR"] = "1";
        _script = Process.Start(psi) ?? throw new InvalidOperationException("could not start script");
        _reading = ReadAsync();
    }

    /// <summary>Everything the terminal showed so far.</summary>
    public string Screen
    {
        get
        {
            lock (_screen)
            {
                return _screen.ToString();
            }
        }
    }

    /// <summary>Waits (at most 60 s, the runtime starting included) until the terminal shows <paramref name="text"/>.</summary>
    public async Task WaitForAsync(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!Screen.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60) || _script.HasExited)
            {
                throw new TimeoutException($"the terminal never showed \"{text}\"; it showed:\n{Screen}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Types <paramref name="line"/> and Enter once the program's terminal (its standard input's pty) has echo off, so
    /// the test cannot type before the program is ready, and a terminal that keeps echo on fails the wait (30 s).
    /// </summary>
    public async Task TypeWhenNotEchoingAsync(string line)
    {
        var terminal = ProgramTerminal();
        var clock = Stopwatch.StartNew();
        while (!PostfixServer.Check("stty", "-a", "-F", terminal).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Contains("-echo"))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"{terminal} never turned echo off; the terminal showed:\n{Screen}");
            }

            await Task.Delay(50);
        }

        await _script.StandardInput.WriteAsync(line + "\r");
        await _script.StandardInput.FlushAsync();
    }

    /// <summary>Waits (at most 60 s) for the program to end; its exit code (script -e passes it on).</summary>
    public async Task<int> ExitCodeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _script.WaitForExitAsync(cts.Token);
        await _reading.WaitAsync(cts.Token);
        return _script.ExitCode;
    }

    public void Dispose()
    {
        if (!_script.HasExited)
        {
            _script.Kill(entireProcessTree: true);
            _script.WaitForExit(5000);
        }

        _script.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new char[4096];
        for (var n = await _script.StandardOutput.ReadAsync(buffer); n > 0; n = await _script.StandardOutput.ReadAsync(buffer))
        {
            lock (_screen)
            {
                _screen.Append(buffer, 0, n);
            }
        }
    }

    /// <summary>The pty the program reads from: standard input of the dotnet process under script.</summary>
    private string ProgramTerminal()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _) || !DescendsFromScript(dir))
            {
                continue;
            }

            try
            {
                // linger itself (dotnet linger.dll, or the executable under test), not the shell that started it.
                var arguments = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (arguments[0] == LingerRunner.OtherExecutable || arguments.Contains(LingerRunner.LingerDll))
                {
                    return new FileInfo(Path.Combine(dir, "fd", "0")).LinkTarget ?? throw new InvalidOperationException($"{dir}/fd/0 is not a link");
                }
            }
            catch (IOException)
            {
                // The process ended while being looked at.
            }
        }

        throw new InvalidOperationException($"no linger process under script {_script.Id}");
    }

    private bool DescendsFromScript(string procDir)
    {
        var dir = procDir;
        for (var depth = 0; depth < 4; depth++)
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                if (parent == _script.Id)
                {
                    return true;
                }

                dir = $"/proc/{parent}";
            }
            catch (IOException)
            {
                return false;
            }
        }

        return false;
    }
}
