using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Threading.Channels;

namespace Linger.Lab.Agents;

/// <summary>
/// A lab agent process (see <see cref="LabAgentHost"/> for its protocol) as a scenario drives it: started on the
/// scenario's site, sent one command at a time with a time limit, every call recorded as a step of its actor, and
/// killed with SIGKILL when the story needs a crash. The scenario context owns it, so it is killed at cleanup too.
/// </summary>
internal sealed class LabAgent : IDisposable
{
    /// <summary>How long the agent may take to start (a .NET process on a busy machine).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    // The agent enforces each call's own time limit; this margin only covers the pipe and a busy machine.
    private static readonly TimeSpan AnswerMargin = TimeSpan.FromSeconds(3);
    private const int StderrKept = 2000;

    private readonly ScenarioContext _context;
    private readonly Actor _actor;
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly StringBuilder _stderr = new();
    private string? _outOfStep;
    private bool _disposed;

    private LabAgent(ScenarioContext context, Actor actor, Process process)
    {
        _context = context;
        _actor = actor;
        _process = process;
    }

    /// <summary>The agent's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Why a scenario that needs the agent cannot run in <paramref name="environment"/>, or null.</summary>
    public static string? SkipReason(LabEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.AgentStart is null
            ? "needs the lab agent (a separate server process to kill or restart), and this run has no way to start it"
            : null;
    }

    /// <summary>
    /// Starts an agent for <paramref name="actor"/> on the context's site (in its network namespace when there is
    /// one), waits until it is ready, and records the start as a step.
    /// </summary>
    /// <exception cref="InvalidOperationException">The environment cannot start agents, or the agent did not start.</exception>
    public static async Task<LabAgent> StartAsync(ScenarioContext context, Actor actor = Actor.Server)
    {
        ArgumentNullException.ThrowIfNull(context);
        var start = context.Environment.AgentStart?.Invoke()
            ?? throw new InvalidOperationException(SkipReason(context.Environment));
        start = context.Site.PrepareProcess(actor, start);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardInputEncoding = new UTF8Encoding(false);

        var process = new Process { StartInfo = start };
        var agent = new LabAgent(context, actor, process);
        process.ErrorDataReceived += agent.KeepStderr;
        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"the lab agent ({start.FileName}) did not start");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"the lab agent ({start.FileName}) could not be started: {e.Message}", e);
        }

        context.Own(agent);
        process.BeginErrorReadLine();
        _ = agent.PumpAnswersAsync();

        var ready = await context.StepAsync(actor, "start the agent process", async ct =>
        {
            var line = await agent.NextLineAsync(ct).ConfigureAwait(false);
            return line is not null && AgentReply.Parse(line) is { Status: AgentReply.Ready } reply
                ? StepResult.Success(detail: $"pid {reply.Fields.GetValueOrDefault("pid", "?")}")
                : StepResult.Failed($"the lab agent did not say it was ready: {agent.Stderr() ?? line ?? "no output"}");
        }, StartTimeout).ConfigureAwait(false);
        if (!ready.Ok)
        {
            agent.Dispose();
            throw new InvalidOperationException($"the lab agent did not start: {ready.Detail}");
        }

        return agent;
    }

    /// <summary>Listens on <paramref name="endPoint"/> (with SO_REUSEADDR, as servers do).</summary>
    public Task<StepResult> ListenAsync(IPEndPoint endPoint, int backlog = 16)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return CallAsync(
            $"listen on {endPoint} (backlog {backlog})",
            string.Create(CultureInfo.InvariantCulture, $"listen {endPoint.Address} {endPoint.Port} {backlog}"),
            TimeSpan.Zero);
    }

    /// <summary>Accepts one connection; the number names it in later calls.</summary>
    public async Task<(StepResult Result, int? Connection)> AcceptAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? ScenarioContext.DefaultCallTimeout;
        int? connection = null;
        var result = await RecordAsync("accept", Command("accept", limit), limit, reply =>
        {
            connection = (int?)reply.Number("conn");
            return reply.Status == AgentReply.Ok
                ? StepResult.Success(detail: $"from {reply.Fields.GetValueOrDefault("peer", "?")}")
                : reply.ToStepResult();
        }).ConfigureAwait(false);
        return (result, connection);
    }

    /// <summary>One receive of at most <paramref name="maxBytes"/> on <paramref name="connection"/>; 0 bytes is the end of the stream.</summary>
    public Task<StepResult> ReadAsync(int connection, int maxBytes = 65536, TimeSpan? timeout = null, string? what = null)
    {
        var limit = timeout ?? ScenarioContext.DefaultCallTimeout;
        return CallAsync(
            what ?? $"receive (up to {ScenarioContext.Plural(maxBytes, "byte")})",
            Command(string.Create(CultureInfo.InvariantCulture, $"read {connection} {maxBytes}"), limit),
            limit);
    }

    /// <summary>Sends <paramref name="count"/> bytes on <paramref name="connection"/>.</summary>
    public Task<StepResult> WriteAsync(int connection, int count, string? what = null, TimeSpan? timeout = null)
    {
        var limit = timeout ?? ScenarioContext.DefaultCallTimeout;
        return CallAsync(
            what ?? $"send {ScenarioContext.Plural(count, "byte")}",
            Command(string.Create(CultureInfo.InvariantCulture, $"write {connection} {count}"), limit),
            limit);
    }

    /// <summary>Closes <paramref name="connection"/> (close(2)).</summary>
    public Task<StepResult> CloseAsync(int connection, string? what = null) =>
        CallAsync(what ?? "close", string.Create(CultureInfo.InvariantCulture, $"close {connection}"), TimeSpan.Zero);

    /// <summary>
    /// Kills the agent with SIGKILL, as a crash would, and waits until it is gone: by then its kernel has closed
    /// every socket it had, as it does for any process that dies.
    /// </summary>
    public Task<StepResult> KillAsync(string? what = null) =>
        _context.StepAsync(_actor, what ?? $"process {ProcessId} killed with SIGKILL (a crash)", async ct =>
        {
            _process.Kill();
            await _process.WaitForExitAsync(ct).ConfigureAwait(false);
            return StepResult.Success(detail: "the process is gone; its kernel closed its sockets");
        });

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already reaped: nothing left to stop.
        }

        _process.Dispose();
        _oneAtATime.Dispose();
    }

    private static string Command(string command, TimeSpan limit) =>
        string.Create(CultureInfo.InvariantCulture, $"{command} {Math.Max(1, (int)limit.TotalMilliseconds)}");

    private Task<StepResult> CallAsync(string action, string command, TimeSpan limit) =>
        RecordAsync(action, command, limit, reply => reply.ToStepResult());

    private Task<StepResult> RecordAsync(string action, string command, TimeSpan limit, Func<AgentReply, StepResult> interpret) =>
        _context.StepAsync(_actor, action, async ct =>
        {
            var reply = await SendAsync(command, ct).ConfigureAwait(false);
            return reply is null
                ? StepResult.Failed(_outOfStep ?? "the lab agent did not answer")
                : interpret(reply);
        }, limit + AnswerMargin);

    /// <summary>Sends one command and waits for its answer; null when the agent is gone or stopped answering.</summary>
    private async Task<AgentReply?> SendAsync(string command, CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_outOfStep is not null)
            {
                return null;
            }

            try
            {
                await _process.StandardInput.WriteLineAsync(command.AsMemory(), ct).ConfigureAwait(false);
                await _process.StandardInput.FlushAsync(ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                _outOfStep = $"the lab agent is gone ({e.Message})";
                return null;
            }

            try
            {
                var line = await NextLineAsync(ct).ConfigureAwait(false);
                if (line is null)
                {
                    _outOfStep = $"the lab agent exited{(Stderr() is { } text ? ": " + text : string.Empty)}";
                    return null;
                }

                return AgentReply.Parse(line) ?? new AgentReply { Status = AgentReply.Bad, Message = line };
            }
            catch (OperationCanceledException)
            {
                // A late answer would be taken for the next command's: stop talking to this agent.
                _outOfStep = $"the lab agent did not answer '{command}' in time";
                throw;
            }
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<string?> NextLineAsync(CancellationToken ct)
    {
        try
        {
            return await _lines.Reader.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    private async Task PumpAnswersAsync()
    {
        try
        {
            // Bounded by the agent's life: the loop ends when its output closes.
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                await _lines.Writer.WriteAsync(line).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process was disposed under the reader: its output is over.
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    private void KeepStderr(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_stderr)
        {
            if (_stderr.Length < StderrKept)
            {
                _stderr.AppendLine(e.Data);
            }
        }
    }

    private string? Stderr()
    {
        lock (_stderr)
        {
            var text = _stderr.ToString().Trim();
            return text.Length == 0 ? null : text;
        }
    }
}
