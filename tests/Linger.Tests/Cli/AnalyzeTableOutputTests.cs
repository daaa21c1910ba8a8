using System.Text.Json;
using Linger.Tests.Support;

namespace Linger.Tests.Cli;

/// <summary>
/// The table that <c>linger analyze</c> prints by default, from a real process with its output redirected (as a script
/// or a pager gets it): a row for every conversation, in the order the analyser emitted them, then the summary, then
/// the totals, nothing lost or reordered by the buffering of a large table.
/// </summary>
public sealed class AnalyzeTableOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linger-table-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_redirected_table_has_every_conversation_in_order_before_the_summary()
    {
        var path = MixedCapture.Write(Path.Combine(_dir, "mixed.pcap"), conversations: 4000, seed: 7);

        var table = await LingerRunner.RunProcessAsync(null, "analyze", path);
        var jsonl = await LingerRunner.RunProcessAsync(null, "analyze", path, "--format", "jsonl");

        Assert.Equal(0, table.ExitCode);
        var expected = jsonl.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Endpoints).ToList();
        var lines = table.Stdout.Split('\n');
        var summary = Array.IndexOf(lines, "Summary");
        Assert.True(summary > 0, "a summary");
        var rows = lines.Take(summary).Where(l => l.Length > 0 && !l.StartsWith(' ') && l.Contains(':', StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => $"{f[2].TrimEnd('?')} {f[3]}")
            .ToList();
        Assert.True(expected.Count > 3000, $"a table of thousands of rows ({expected.Count})");
        Assert.Equal(expected, rows);

        var lastRow = Array.FindLastIndex(lines, l => l.StartsWith("reset ", StringComparison.Ordinal) || l.StartsWith("closed ", StringComparison.Ordinal));
        Assert.True(summary > lastRow, "the summary comes after the last row");
        Assert.Contains($"{expected.Count:N0} conversations", table.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("analysed in ", lines.Last(l => l.Length > 0), StringComparison.Ordinal);
    }

    private static string Endpoints(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return $"{doc.RootElement.GetProperty("client").GetString()} {doc.RootElement.GetProperty("server").GetString()}";
    }
}
