namespace Linger.Lab;

/// <summary>
/// One way a TCP connection dies, played for real: a script of calls by a client and a server (and actions on the
/// network) that the runner records as evidence. A scenario states what the analyser should conclude from its
/// packets, and may check what the calls returned with <see cref="ScenarioContext.Expect"/>.
/// </summary>
public abstract class Scenario
{
    /// <summary>The id users type: <c>write-after-peer-close</c>.</summary>
    public abstract string Id { get; }

    /// <summary>A one-line title.</summary>
    public abstract string Title { get; }

    /// <summary>What the scenario shows and why it matters, in a few sentences.</summary>
    public abstract string Description { get; }

    /// <summary>Where it runs.</summary>
    public virtual ScenarioPlace Place => ScenarioPlace.Loopback;

    /// <summary>What the analyser should say about the watched conversation; null when no verdict applies.</summary>
    public abstract Expectation? Expected { get; }

    /// <summary>Knowledge-base platform differences that apply (their Windows notes are shown as documented).</summary>
    public virtual IReadOnlyList<string> DifferenceIds => [];

    /// <summary>A knowledge-base code whose explanation fits what the client saw (<c>ECONNRESET</c>), or null.</summary>
    public virtual string? ExplainCode => null;

    /// <summary>The longest the scenario may run, setup included.</summary>
    public virtual TimeSpan Timeout => TimeSpan.FromSeconds(10);

    /// <summary>Why the scenario cannot run in <paramref name="environment"/>, or null when it can.</summary>
    public virtual string? SkipReason(LabEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!environment.IsLinux)
        {
            return "the lab reads TCP states from Linux's /proc; run it on Linux";
        }

        return Place == ScenarioPlace.Namespaces && !environment.IsRoot
            ? "needs root (it creates network namespaces); run with sudo"
            : null;
    }

    /// <summary>Creates the site the scenario runs on. Loopback by default.</summary>
    public virtual ValueTask<LabSite> CreateSiteAsync(LabEnvironment environment, CancellationToken cancellationToken) =>
        ValueTask.FromResult<LabSite>(new LoopbackSite());

    /// <summary>Plays the scenario. Failures of the calls are evidence, not errors: record them as steps.</summary>
    public abstract Task RunAsync(ScenarioContext context);
}
