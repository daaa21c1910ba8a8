using System.Diagnostics;
using System.Globalization;
using System.Text;
using Linger.Knowledge;

namespace Linger.Probe;

/// <summary>
/// Records one probe as it runs: the transcript (with timings), the stages, and the findings. Registered secrets are
/// removed from everything it records, in plain and in base64 form, so a password can never reach the output.
/// </summary>
public sealed class ProbeSession
{
    private const string Redacted = "<redacted>";
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<ProbeStage> _stages = [];
    private readonly List<TranscriptLine> _transcript = [];
    private readonly List<Finding> _findings = [];
    private readonly List<string> _secrets = [];
    private readonly Lock _gate = new();

    /// <summary>A session for <paramref name="probe"/> against <paramref name="target"/>.</summary>
    public ProbeSession(string probe, string target, Action<TranscriptLine>? onLine = null)
    {
        Probe = probe;
        Target = target;
        OnLine = onLine;
    }

    /// <summary>tcp, smtp, ftp or http.</summary>
    public string Probe { get; }

    /// <summary>The target as given.</summary>
    public string Target { get; }

    /// <summary>Called for each transcript line as it is recorded (to print the transcript live).</summary>
    public Action<TranscriptLine>? OnLine { get; }

    /// <summary>Milliseconds since the probe started.</summary>
    public double ElapsedMs => Math.Round(_clock.Elapsed.TotalMilliseconds, 1);

    /// <summary>True when a stage has failed.</summary>
    public bool HasFailed
    {
        get
        {
            lock (_gate)
            {
                return _stages.Exists(s => !s.Ok);
            }
        }
    }

    /// <summary>
    /// Never lets <paramref name="secret"/> (a password) appear in the transcript, stages or findings; its base64
    /// forms alone and inside AUTH PLAIN's <c>\0user\0password</c> are caught as well.
    /// </summary>
    public void AddSecret(string secret, string? user = null)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        lock (_gate)
        {
            _secrets.Add(secret);
            _secrets.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)));
            _secrets.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{secret}")));
            _secrets.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}\0{user}\0{secret}")));
        }
    }

    /// <summary>Removes every registered secret from <paramref name="text"/>.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            foreach (var secret in _secrets)
            {
                text = text.Replace(secret, Redacted, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Records a line the probe sent.</summary>
    public void Sent(string text) => Line(TranscriptKind.Sent, text);

    /// <summary>Records a line received from the server.</summary>
    public void Received(string text) => Line(TranscriptKind.Received, text);

    /// <summary>Records an error line.</summary>
    public void Error(string text) => Line(TranscriptKind.Error, text);

    /// <summary>Records what the probe is doing.</summary>
    public void Info(string text) => Line(TranscriptKind.Info, text);

    /// <summary>Records a finished stage.</summary>
    public ProbeStage Stage(string name, bool ok, double startedMs, string? sent = null, string? received = null, ProbeError? error = null)
    {
        var stage = new ProbeStage
        {
            Name = name,
            Ok = ok,
            Ms = Math.Round(ElapsedMs - startedMs, 1),
            Sent = sent is null ? null : Redact(sent),
            Received = received is null ? null : Redact(received),
            Error = error is null ? null : error with { Message = Redact(error.Message) },
        };
        lock (_gate)
        {
            _stages.Add(stage);
        }

        if (error is not null)
        {
            Error($"{name}: {stage.Error!.Message}");
        }

        return stage;
    }

    /// <summary>
    /// Runs <paramref name="work"/> as the stage <paramref name="name"/> with a time limit: what it returns is the
    /// stage; an exception becomes the stage's error; running out of time is an error saying so.
    /// </summary>
    public async Task<ProbeStage> RunStageAsync(string name, TimeSpan timeout, Func<CancellationToken, Task<StageOutcome>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var started = ElapsedMs;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // A limit past what a timer counts (about 49.7 days: probe ftp's connect waits its timeout per address) is
        // no limit in practice.
        cts.CancelAfter(timeout < LongestTimer ? timeout : Timeout.InfiniteTimeSpan);
        try
        {
            var outcome = await work(cts.Token).ConfigureAwait(false);
            return Stage(name, outcome.Ok, started, outcome.Sent, outcome.Received, outcome.Error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Stage(name, false, started, error: ProbeError.Of(string.Create(CultureInfo.InvariantCulture, $"no answer within {timeout.TotalSeconds:0.#} s")));
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or InvalidOperationException or ObjectDisposedException)
        {
            return Stage(name, false, started, error: ProbeError.From(e));
        }
    }

    /// <summary>Adds a finding whose cause and fix come from the knowledge base's cause <paramref name="causeId"/>.</summary>
    public void Find(string id, string stage, string summary, string causeId, string? explainCode)
    {
        var knowledge = KnowledgeBase.Default;
        var culture = CultureInfo.GetCultureInfo("en");
        var cause = knowledge.Text($"cause.{causeId}.title", culture) ?? causeId;
        var fix = knowledge.Text($"cause.{causeId}.fix", culture) ?? string.Empty;
        Find(new Finding(id, stage, summary, cause, fix, explainCode));
    }

    /// <summary>
    /// Adds a finding written by the probe. Its summary may quote the server, so secrets are taken out of it; its
    /// likely cause and fix are our own fixed wording and never carry outside text, so they are left whole: taking
    /// a password out of them would point at it (a password "wrong" in "A &lt;redacted&gt; user name").
    /// </summary>
    public void Find(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var clean = finding with { Summary = Redact(finding.Summary) };
        lock (_gate)
        {
            _findings.Add(clean);
        }
    }

    /// <summary>The report so far.</summary>
    public ProbeReport Report()
    {
        lock (_gate)
        {
            return new ProbeReport { Target = Target, Probe = Probe, Stages = [.. _stages], Transcript = [.. _transcript], Findings = [.. _findings] };
        }
    }

    private void Line(TranscriptKind kind, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = new TranscriptLine(ElapsedMs, kind, Redact(text));
        lock (_gate)
        {
            _transcript.Add(line);
        }

        OnLine?.Invoke(line);
    }
}

/// <summary>What a stage's work returns.</summary>
/// <param name="Ok">Whether the stage passed.</param>
/// <param name="Sent">What was sent (redacted by the session).</param>
/// <param name="Received">What was received.</param>
/// <param name="Error">Why it failed.</param>
public sealed record StageOutcome(bool Ok, string? Sent = null, string? Received = null, ProbeError? Error = null)
{
    /// <summary>A passed stage.</summary>
    public static StageOutcome Pass(string? sent = null, string? received = null) => new(true, sent, received);

    /// <summary>A failed stage.</summary>
    public static StageOutcome Fail(string message, string? sent = null, string? received = null) => new(false, sent, received, ProbeError.Of(message));
}
