using System.Globalization;
using Linger.Lab;
using Linger.Tests.Wire.Support;

namespace Linger.Tests.Lab;

/// <summary>
/// One scenario played once with packet capture, shared by the tests of a class (as a class fixture): the result,
/// and its pcapng kept in a temporary folder until the class is done, so tshark can read the same packets.
/// </summary>
public abstract class CapturedScenarioRun : IAsyncLifetime
{
    private readonly string _id;
    private readonly string _directory = Directory.CreateTempSubdirectory("linger-lab-test-").FullName;
    private readonly Lazy<Task<ScenarioResult>> _result;

    protected CapturedScenarioRun(string id)
    {
        _id = id;
        _result = new(() => PlayAsync(_id, new LabEnvironment { CapturePackets = true, CaptureDirectory = _directory }));
    }

    /// <summary>The pcapng of the run.</summary>
    public string CapturePath => Path.Combine(_directory, _id + ".pcapng");

    /// <summary>The run's result: played on first use (tests that are skipped never play it).</summary>
    public Task<ScenarioResult> ResultAsync() => _result.Value;

    /// <summary>Plays scenario <paramref name="id"/> once in <paramref name="environment"/>, bounded by a generous deadline.</summary>
    public static async Task<ScenarioResult> PlayAsync(string id, LabEnvironment environment)
    {
        var scenario = ScenarioCatalog.Find(id) ?? throw new InvalidOperationException($"no scenario '{id}' in the catalogue");
        using var deadline = new CancellationTokenSource(scenario.Timeout + TimeSpan.FromSeconds(30));
        return await new LabRunner(environment).RunAsync(scenario, deadline.Token);
    }

    /// <summary>How many frames of the capture match tshark's <paramref name="displayFilter"/>.</summary>
    public async Task<int> CountAsync(string displayFilter) => (await Tshark.FieldsAsync(CapturePath, displayFilter, "frame.number")).Length;

    /// <summary>A display filter for the watched connection: its client port and the server's.</summary>
    public static string Watched(ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var client = result.Client ?? throw new InvalidOperationException("the run has no watched connection");
        var server = result.Server ?? throw new InvalidOperationException("the run has no server");
        return string.Create(CultureInfo.InvariantCulture, $"tcp.port == {client.Port} && tcp.port == {server.Port}");
    }

    /// <summary>The one step whose action starts with <paramref name="action"/>.</summary>
    public static ScenarioStep Step(ScenarioResult result, string action)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Assert.Single(result.Steps, s => s.Action.StartsWith(action, StringComparison.Ordinal));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
