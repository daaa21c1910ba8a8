using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Linger.Analysis;
using Linger.Flows;

namespace Linger.Cli.Analyze;

/// <summary>
/// Starts the analysis of a capture file before the command line is parsed, when the arguments show that nothing
/// in them can change what the analysis finds: the command then takes the run over instead of starting its own.
/// </summary>
/// <remarks>
/// <para>
/// Why: from <c>Main</c> to the first packet tracked, the process spends about 40 ms on one core, opening the console
/// streams and building the command tree (type loading, mostly), while the other core idles. Started at once, the
/// tracking threads use both cores from the start, and the set-up runs beside them. Measured on the benchmark capture
/// with the precompiled build: 2.3% off the wall time (60 pairs); a 20-packet capture's run went from about 86 ms to
/// 75 ms. In the JIT build, whose warm-up thread already uses the second core, it makes no measurable difference.
/// </para>
/// <para>
/// Only <c>linger analyze FILE... [--format F] [--only O]</c> starts early, and only its first file: any other
/// option, a response file (<c>@file</c>), standard input (<c>-</c>) or a path that is not an existing file leaves
/// everything to the command as before. The command takes the run over only when it asks for exactly what was
/// started (the same path, and analysis options equal to the defaults the early start used); otherwise the early run
/// is stopped and the command analyses as usual. Until the command takes it over, conversations wait in a list, in
/// order, at most <see cref="MaxWaiting"/> of them (then the run waits for the command); after that they go straight
/// to the command's writer, from the early run's thread, which is then the one thread writing. An error while
/// reading (or writing) is kept and thrown on the command's thread, where it is reported as without the early start.
/// Nothing is written before the command has parsed its arguments, so a usage error still prints only the usage
/// error.
/// </para>
/// </remarks>
[SuppressMessage("Design", "CA1001", Justification = "At most one, for the life of the process; a stopped run may still be using its token.")]
internal sealed class EarlyStart
{
    private readonly string _path;
    private readonly AnalyzeOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly List<ConversationSummary> _waiting = [];
    private readonly ManualResetEventSlim _taken = new();
    private readonly int _maxWaiting;
    private int _decided; // 1 once the command took the run over or it was stopped
    private int _waitingCount; // _waiting.Count, for other threads to read
    private Action<ConversationSummary>? _sink;
    private Action<long, long>? _progress;
    private AnalysisTotals? _totals;
    private ExceptionDispatchInfo? _failure;

    private EarlyStart(string path, AnalyzeOptions options, int maxWaiting)
    {
        _path = path;
        _options = options;
        _maxWaiting = maxWaiting;
        _thread = new Thread(Run) { IsBackground = true, Name = "linger early start" };
    }

    /// <summary>Conversations kept waiting for the command at most; beyond them the early run waits too.</summary>
    public const int MaxWaiting = 1 << 16;

    /// <summary>When the analysis started (<see cref="Stopwatch.GetTimestamp"/>, for the command's "analysed in").</summary>
    public long StartedAt { get; private set; }

    /// <summary>Whether the command took the run over (<see cref="TryTake"/>).</summary>
    public bool Taken { get; private set; }

    /// <summary>Conversations found and waiting for the command.</summary>
    internal int Waiting => Volatile.Read(ref _waitingCount);

    /// <summary>
    /// Starts the analysis of the first file if the arguments allow it (see the class remarks); null when they do not.
    /// </summary>
    /// <param name="args">The process's arguments, as given to <c>Main</c>.</param>
    /// <param name="maxWaiting">Conversations kept for the command at most before the run waits for it.</param>
    public static EarlyStart? TryStart(IReadOnlyList<string> args, int maxWaiting = MaxWaiting)
    {
        if (FirstFile(args) is not { } path || !File.Exists(path))
        {
            return null;
        }

        var early = new EarlyStart(path, AnalyzeCommand.DefaultOptions(), maxWaiting) { StartedAt = Stopwatch.GetTimestamp() };
        early._thread.Start();
        return early;
    }

    /// <summary>
    /// The path to start on, or null: the first file of <c>analyze FILE... [--format F] [--only O]</c> (each option
    /// as two words or with <c>=</c>); null for anything else.
    /// </summary>
    internal static string? FirstFile(IReadOnlyList<string> args)
    {
        if (args.Count < 2 || args[0] != "analyze")
        {
            return null;
        }

        string? first = null;
        for (var i = 1; i < args.Count; i++)
        {
            var a = args[i];
            if (a is "--format" or "--only")
            {
                i++; // its value, whatever it is: the parser judges it
                continue;
            }

            if (a.StartsWith("--format=", StringComparison.Ordinal) || a.StartsWith("--only=", StringComparison.Ordinal))
            {
                continue;
            }

            if (a.Length == 0 || a[0] is '-' or '@')
            {
                return null; // another option, standard input, "--", a response file: as before
            }

            first ??= a;
        }

        return first;
    }

    /// <summary>
    /// Whether the command, about to analyse <paramref name="path"/> with <paramref name="options"/>, takes this run
    /// over (then it calls <see cref="Finish"/>). Asked once, for the command's first file: any other answer stops the
    /// run, and every later question is answered no.
    /// </summary>
    public bool TryTake(string path, AnalyzeOptions options)
    {
        if (Interlocked.Exchange(ref _decided, 1) != 0)
        {
            return false;
        }

        if (_path == path && _options == options)
        {
            Taken = true;
            return true;
        }

        _stop.Cancel(); // a run waiting for the command (MaxWaiting) ends too
        return false;
    }

    /// <summary>Stops the run unless the command took it over (a command that never came to it: a usage error).</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _decided, 1) == 0)
        {
            _stop.Cancel();
        }
    }

    /// <summary>Waits for the run's thread to end (a stopped run ends soon).</summary>
    internal bool Join(TimeSpan timeout) => _thread.Join(timeout);

    /// <summary>
    /// Sends the run's conversations to <paramref name="emit"/> (those found so far first), reports progress to
    /// <paramref name="progress"/>, waits for the end, and returns the totals or throws what the analysis threw.
    /// Only after <see cref="TryTake"/> said yes.
    /// </summary>
    public AnalysisTotals Finish(Action<ConversationSummary> emit, Action<long, long>? progress)
    {
        if (!Taken)
        {
            throw new InvalidOperationException("The early run was not taken over.");
        }

        Volatile.Write(ref _progress, progress);
        Volatile.Write(ref _sink, emit);
        _taken.Set();
        _thread.Join();

        // The run may have ended before it saw the sink: what it left waiting is emitted here, after it is gone.
        foreach (var c in _waiting)
        {
            emit(c);
        }

        _waiting.Clear();
        _failure?.Throw();
        return _totals!;
    }

    private void Run()
    {
        try
        {
            _totals = CaptureAnalyzer.AnalyzeFile(_path, _options, Emit, Progress, _stop.Token);
        }
#pragma warning disable CA1031 // Not swallowed: thrown again on the command's thread, as the analysis would have.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
    }

    private void Emit(ConversationSummary c)
    {
        if (Volatile.Read(ref _sink) is not { } sink)
        {
            if (_waiting.Count < _maxWaiting)
            {
                _waiting.Add(c);
                Volatile.Write(ref _waitingCount, _waiting.Count);
                return;
            }

            _taken.Wait(_stop.Token); // the command is slow to come: memory stays bounded
            sink = Volatile.Read(ref _sink)!;
        }

        if (_waiting.Count > 0)
        {
            foreach (var w in _waiting)
            {
                sink(w);
            }

            _waiting.Clear();
            Volatile.Write(ref _waitingCount, 0);
        }

        sink(c);
    }

    private void Progress(long position, long length) => Volatile.Read(ref _progress)?.Invoke(position, length);
}
