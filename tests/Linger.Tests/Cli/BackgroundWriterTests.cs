using System.Text;
using Linger.Analysis;
using Linger.Cli.Analyze;
using Linger.Cli.Output;
using Linger.Flows;
using Linger.Tests.Support;

namespace Linger.Tests.Cli;

/// <summary>
/// Rows formatted on a second thread when batches wait come out exactly as one thread writes them: every row, in
/// order, and the same summary.
/// </summary>
public sealed class BackgroundWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linger-background-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_table_is_the_same_when_a_twin_formats_every_other_batch()
    {
        var conversations = Conversations();

        var (oneText, oneRows, _) = Table(conversations, parallel: false);
        var (twoText, twoRows, twins) = Table(conversations, parallel: true);

        Assert.True(twins > 0, "a twin formatted batches");
        Assert.Equal(oneText, twoText); // the header and the summary
        Assert.Equal(oneRows, twoRows);
        Assert.Contains($"{conversations.Count:N0} conversations", twoText, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_lines_are_the_same_when_a_twin_formats_every_other_batch()
    {
        var conversations = Conversations();

        var (one, _) = Json(conversations, parallel: false);
        var (two, twins) = Json(conversations, parallel: true);

        Assert.True(twins > 0, "a twin formatted batches");
        Assert.Equal(one, two);
        Assert.Equal(conversations.Count, Encoding.UTF8.GetString(two).Count(c => c == '\n'));
    }

    private List<ConversationSummary> Conversations()
    {
        var path = MixedCapture.Write(Path.Combine(_dir, "mixed.pcap"), conversations: 6000, seed: 11);
        var all = new List<ConversationSummary>();
        CaptureAnalyzer.AnalyzeFile(path, new AnalyzeOptions(), all.Add);
        Assert.True(all.Count > 4 * 1024, $"several batches of conversations ({all.Count})");
        return all;
    }

    private static (string Text, byte[] Rows, int Twins) Table(List<ConversationSummary> conversations, bool parallel)
    {
        var text = new StringWriter();
        using var rows = new MemoryStream();
        var twins = Write(new TableWriter(new Page(text, ConsoleOptions.Plain), rows), conversations, parallel);
        return (text.ToString(), rows.ToArray(), twins);
    }

    private static (byte[] Lines, int Twins) Json(List<ConversationSummary> conversations, bool parallel)
    {
        using var output = new MemoryStream();
        using var json = new JsonLinesWriter(output, batchLines: true);
        var twins = Write(json, conversations, parallel);
        return (output.ToArray(), twins);
    }

    // The conversations are queued before the writing thread starts (Begin), so batches wait and the twin takes every
    // other one; the channel holds 16 batches, more than these. Returns how many batches the twin formatted.
    private static int Write(IConversationWriter format, List<ConversationSummary> conversations, bool parallel)
    {
        using var writer = new BackgroundWriter(format, parallel);
        conversations.ForEach(writer.Write);
        writer.Begin(DateTimeOffset.UnixEpoch);
        writer.End(DateTimeOffset.UnixEpoch);
        return writer.BatchesFormattedByTwin;
    }
}
