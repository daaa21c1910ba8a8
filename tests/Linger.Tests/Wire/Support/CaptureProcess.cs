using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Linger.Tests.Wire.Support;

/// <summary>
/// A real capturer (tcpdump or tshark) running while a test makes traffic: started, awaited until it says it is
/// listening, then stopped with SIGINT as a person pressing Ctrl-C would, so it flushes and closes its file.
/// </summary>
internal sealed partial class CaptureProcess : IAsyncDisposable
{
    private const int SigInt = 2;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyText;

    private CaptureProcess(Process process, string readyText)
    {
        _process = process;
        _readyText = readyText;
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

    /// <summary>Starts <paramref name="fileName"/> and waits until its standard error contains <paramref name="readyText"/>.</summary>
    /// <summary>What the process printed on standard output, line by line.</summary>
    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>The exit code, once <see cref="StopAsync"/> has returned.</summary>
    public int ExitCode => _process.ExitCode;

    public static async Task<CaptureProcess> StartAsync(string fileName, IEnumerable<string> arguments, string readyText)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var capture = new CaptureProcess(process, readyText);
        process.ErrorDataReceived += (_, e) => capture.OnStderr(e.Data);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (capture._stdout)
                {
                    capture._stdout.Append(e.Data).Append('\n');
                }
            }
        };
        process.Exited += (_, _) => capture._ready.TrySetException(
            new InvalidOperationException($"{fileName} exited before it was ready: {capture.Stderr}"));
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await capture._ready.Task.WaitAsync(ReadyTimeout);
        }
        catch
        {
            await capture.DisposeAsync();
            throw;
        }

        return capture;
    }

    /// <summary>Sends SIGINT and waits for the capturer to write its file and exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{_process.StartInfo.FileName} died during the test: {Stderr}");
        }

        Assert.Equal(0, Kill(_process.Id, SigInt));
        using var cts = new CancellationTokenSource(ExitTimeout);
        await _process.WaitForExitAsync(cts.Token);

        // The process has exited; this only drains the last lines of standard error (its packet counts).
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(ExitTimeout);
            await _process.WaitForExitAsync(cts.Token);
        }

        _process.Dispose();
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.AppendLine(line);
        }

        if (line.Contains(_readyText, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
