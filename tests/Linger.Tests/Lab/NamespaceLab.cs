using System.Diagnostics;
using System.Globalization;
using Linger.Lab;

namespace Linger.Tests.Lab;

/// <summary>The namespace tests share the machine's /run/netns and the CPU: they run one at a time, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NamespaceTestGroup
{
    public const string Name = "network namespaces";
}

/// <summary>Runs namespace scenarios for the tests and looks at what they leave behind, independently of the lab's code.</summary>
internal static class NamespaceLab
{
    /// <summary>Runs scenario <paramref name="id"/> as root with packets captured, keeping the pcapng in <paramref name="captureDirectory"/>.</summary>
    public static async Task<ScenarioResult> RunAsync(string id, string captureDirectory, bool capture = true)
    {
        var scenario = ScenarioCatalog.Find(id) ?? throw new InvalidOperationException($"no scenario {id}");
        var runner = new LabRunner(new LabEnvironment { CapturePackets = capture, CaptureDirectory = captureDirectory });
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await runner.RunAsync(scenario, limit.Token);
    }

    /// <summary>Namespaces under /run/netns whose names carry this process's lab prefix.</summary>
    public static List<string> OwnNamespaces() => Namespaces(string.Create(CultureInfo.InvariantCulture, $"lgr-{Environment.ProcessId}-"));

    /// <summary>Namespaces under /run/netns whose names start with <paramref name="prefix"/>.</summary>
    public static List<string> Namespaces(string prefix) => Directory.Exists("/run/netns")
        ? [.. Directory.EnumerateFileSystemEntries("/run/netns").Select(Path.GetFileName).OfType<string>().Where(n => n.StartsWith(prefix, StringComparison.Ordinal))]
        : [];

    /// <summary>The first step whose action starts with <paramref name="action"/> (after step <paramref name="after"/>).</summary>
    public static ScenarioStep Step(ScenarioResult result, Actor actor, string action, int after = -1)
    {
        for (var i = after + 1; i < result.Steps.Count; i++)
        {
            if (result.Steps[i].Actor == actor && result.Steps[i].Action.StartsWith(action, StringComparison.Ordinal))
            {
                return result.Steps[i];
            }
        }

        throw new Xunit.Sdk.XunitException($"no {actor} step '{action}…' in: {string.Join(" | ", result.Steps.Select(s => $"{s.Actor} {s.Action}"))}");
    }

    /// <summary>The index of <paramref name="step"/> in the result.</summary>
    public static int IndexOf(ScenarioResult result, ScenarioStep step) => result.Steps.ToList().IndexOf(step);

    /// <summary>One field of the packets tshark shows for <paramref name="displayFilter"/> in the capture (tshark as the independent reader).</summary>
    public static async Task<List<string>> TsharkFieldAsync(string pcapng, string displayFilter, string field)
    {
        var start = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-n", "-r", pcapng, "-Y", displayFilter, "-T", "fields", "-e", field])
        {
            start.ArgumentList.Add(argument);
        }

        using var tshark = Process.Start(start) ?? throw new InvalidOperationException("tshark did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = tshark.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = tshark.StandardError.ReadToEndAsync(timeout.Token);
        await tshark.WaitForExitAsync(timeout.Token);
        Assert.True(tshark.ExitCode == 0, $"tshark failed: {await error}");
        return [.. (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
