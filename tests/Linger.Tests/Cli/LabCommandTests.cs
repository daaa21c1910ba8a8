using System.Text.Json;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Tests.Wire.Support;

namespace Linger.Tests.Cli;

/// <summary><c>linger lab</c> as a user runs it: the list, one scenario's story, the catalogue's JSON, bad input.</summary>
public sealed class LabCommandTests
{
    [Fact]
    public void List_names_every_scenario_in_the_catalogue()
    {
        var result = LingerRunner.Run("lab", "--list");

        Assert.Equal(0, result.ExitCode);
        foreach (var scenario in ScenarioCatalog.All)
        {
            Assert.Contains(scenario.Id, result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_unknown_scenario_is_a_usage_error_that_points_to_the_list()
    {
        var result = LingerRunner.Run("lab", "no-such-scenario");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-scenario", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--list", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public void One_scenario_tells_its_story_with_the_calls_the_packets_and_the_documented_windows_behaviour()
    {
        var result = LingerRunner.Run("lab", "write-after-peer-close");

        Assert.Equal(0, result.ExitCode);
        Assert.All(result.Stdout.Split('\n'), line => Assert.True(line.Length <= 80, $"wider than 80 columns: {line}"));
        var text = System.Text.RegularExpressions.Regex.Replace(result.Stdout, @"\s+", " "); // the page wraps at 80 columns
        Assert.Contains("EPIPE (errno 32)", text, StringComparison.Ordinal);
        Assert.Contains("RST", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("▶ server", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("CLOSE_WAIT", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Windows (documented, not measured here)", text, StringComparison.Ordinal);
        Assert.Contains("Source:", result.Stdout, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Json_holds_one_document_with_every_loopback_scenario_and_the_documented_fields()
    {
        var result = await LingerRunner.RunProcessAsync(null, "lab", "--json", "refused", "abortive-close");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var scenarios = doc.RootElement.GetProperty("scenarios");
        Assert.Equal(2, scenarios.GetArrayLength());
        var abortive = scenarios[1];
        Assert.Equal("abortive-close", abortive.GetProperty("id").GetString());
        Assert.Equal("passed", abortive.GetProperty("status").GetString());
        Assert.Equal("reset", abortive.GetProperty("observed_verdict").GetString());
        Assert.True(abortive.GetProperty("agrees").GetBoolean());
        var read = abortive.GetProperty("steps").EnumerateArray()
            .Single(s => s.GetProperty("actor").GetString() == "client" && s.GetProperty("action").GetString()!.StartsWith("receive", StringComparison.Ordinal));
        var error = read.GetProperty("result");
        Assert.False(error.GetProperty("ok").GetBoolean());
        Assert.Equal("ConnectionReset", error.GetProperty("socket_error").GetString());
        Assert.Equal(10054, error.GetProperty("socket_error_code").GetInt32());
        Assert.Equal("ECONNRESET", Libc.ErrnoName(error.GetProperty("errno").GetInt32()));
        Assert.Equal("documented", abortive.GetProperty("windows")[0].GetProperty("evidence").GetString());
    }

    [RootFact]
    public async Task Output_folder_keeps_each_scenarios_capture_which_tshark_and_analyze_read_back()
    {
        var dir = Directory.CreateTempSubdirectory("linger-lab-test-").FullName;
        try
        {
            var lab = LingerRunner.Run("lab", "graceful-close", "-o", dir);
            var file = Path.Combine(dir, "graceful-close.pcapng");

            Assert.Equal(0, lab.ExitCode);
            Assert.True(File.Exists(file));
            var packets = await Tshark.FieldsAsync(file, null, "tcp.flags");
            var rows = lab.Stdout.Split('\n').Count(l => l.Contains(" client ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" server", StringComparison.Ordinal));
            Assert.Equal(rows, packets.Length);
            var analyze = LingerRunner.Run("analyze", file, "--format", "jsonl");
            Assert.Contains("\"verdict\":\"closed\"", analyze.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [LinuxFact]
    public async Task Ctrl_C_stops_the_catalogue_with_exit_130_and_says_it_cleaned_up()
    {
        var psi = LingerRunner.StartInfo("lab");
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;

        using var process = System.Diagnostics.Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        string? line;
        do
        {
            line = await process.StandardOutput.ReadLineAsync(cts.Token);
        }
        while (line is not null && !line.StartsWith("refused", StringComparison.Ordinal));

        Assert.NotNull(line);
        Assert.Equal(0, Libc.Kill(process.Id, 2));
        _ = await process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("interrupted", await stderr, StringComparison.Ordinal);
    }
}
