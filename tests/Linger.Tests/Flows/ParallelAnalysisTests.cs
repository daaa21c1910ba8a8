using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using Linger.Analysis;
using Linger.Flows;
using Linger.Tests.Support;
using Linger.Wire;
using Linger.Wire.Files;
using Linger.Wire.Filtering;

namespace Linger.Tests.Flows;

/// <summary>
/// A capture file analysed on several threads gives exactly the conversations, in exactly the order, that one thread
/// gives: with every way a conversation ends, expiry by capture time, port reuse, a filter, the conversation limit
/// reached, a long capture, a gzipped one, and a file damaged part way.
/// </summary>
public sealed class ParallelAnalysisTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linger-parallel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Several_threads_emit_what_one_thread_emits_in_the_same_order(int threads)
    {
        var path = WriteCapture("mixed.pcap", conversations: 3000, seed: 1);
        var options = new AnalyzeOptions { Tracker = new ConversationTrackerOptions { InactivityTimeout = TimeSpan.FromSeconds(2) } };

        var one = Run(path, options with { Parallelism = 1 });
        var many = Run(path, options with { Parallelism = threads });

        Assert.True(one.Count > 3000, "port reuse and expiry split some conversations");
        Assert.Equal(one, many);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_long_capture_gives_what_one_thread_gives_without_the_threads_waiting_on_each_other(int threads)
    {
        // Many times the packets the shared ring of decoded blocks holds, and no conversation emitted before the end
        // (they all linger): only the threads' progress marks reach the merge, the case in which a thread ahead waits
        // for one behind, and a merge that listened to one thread only would wait for ever.
        // 60,000: more than TrackerShard collects before building the end-of-input summaries for, so that runs too.
        var path = MixedCapture.Write(Path.Combine(_dir, "long.pcap"), conversations: 60_000, seed: 5, reusePorts: false);
        var options = new AnalyzeOptions { Tracker = new() { CloseLinger = TimeSpan.FromDays(1), InactivityTimeout = TimeSpan.FromDays(1) } };

        Assert.Equal(threads, CaptureAnalyzer.ThreadsFor(path, options with { Parallelism = threads }));
        var one = Run(path, options with { Parallelism = 1 });
        var many = Task.Run(() => Run(path, options with { Parallelism = threads }));

        var finished = await Task.WhenAny(many, Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.True(finished == many, "the analysis on several threads did not finish");
        Assert.Equal(one, await many);
    }

    [Fact]
    public void A_gzipped_file_is_analysed_on_several_threads_like_on_one()
    {
        var plain = WriteCapture("zipped.pcap", conversations: 2000, seed: 6);
        var zipped = plain + ".gz";
        using (var input = File.OpenRead(plain))
        using (var output = new System.IO.Compression.GZipStream(File.Create(zipped), System.IO.Compression.CompressionLevel.Fastest))
        {
            input.CopyTo(output);
        }

        Assert.Equal(2, CaptureAnalyzer.ThreadsFor(zipped, new AnalyzeOptions { Parallelism = 2 }));
        Assert.Equal(Run(plain, new AnalyzeOptions { Parallelism = 1 }), Run(zipped, new AnalyzeOptions { Parallelism = 2 }));
    }

    [Fact]
    public void A_filter_gives_the_same_conversations_on_several_threads()
    {
        var path = WriteCapture("filtered.pcap", conversations: 2000, seed: 2);
        var options = new AnalyzeOptions { Filter = FilterExpression.Parse("port 443 or port 22") };

        Assert.Equal(Run(path, options with { Parallelism = 1 }), Run(path, options with { Parallelism = 2 }));
    }

    [Fact]
    public void Reaching_the_conversation_limit_gives_what_one_thread_gives()
    {
        var path = WriteCapture("crowded.pcap", conversations: 2000, seed: 3);
        var options = new AnalyzeOptions { Tracker = new ConversationTrackerOptions { MaxConversations = 150 } };

        var one = Run(path, options with { Parallelism = 1 });
        var many = Run(path, options with { Parallelism = 2 });

        Assert.Contains(one, c => c.Contains("\"CapacityEvicted\"", StringComparison.Ordinal));
        Assert.Equal(one, many);
    }

    [Fact]
    public void A_damaged_file_reports_the_same_conversations_before_the_same_error()
    {
        var path = WriteCapture("damaged.pcap", conversations: 1500, seed: 4);
        Damage(path);
        var options = new AnalyzeOptions();

        var (one, oneError) = RunUntilError(path, options with { Parallelism = 1 });
        var (many, manyError) = RunUntilError(path, options with { Parallelism = 2 });

        Assert.NotEmpty(one);
        Assert.Equal(one, many);
        Assert.Equal(oneError, manyError);
    }

    private static List<string> Run(string path, AnalyzeOptions options)
    {
        var seen = new List<string>();
        var totals = CaptureAnalyzer.AnalyzeFile(path, options, c => seen.Add(Text(c)));
        Assert.Equal(seen.Count, totals.Conversations);
        return seen;
    }

    private static (List<string> Seen, string Error) RunUntilError(string path, AnalyzeOptions options)
    {
        var seen = new List<string>();
        var error = Assert.Throws<CaptureFormatException>(() => CaptureAnalyzer.AnalyzeFile(path, options, c => seen.Add(Text(c))));
        return (seen, error.Message);
    }

    private static readonly JsonSerializerOptions AllFields = new() { Converters = { new JsonStringEnumConverter() } };

    // Every property, the lists and dictionaries by content.
    private static string Text(ConversationSummary c) => JsonSerializer.Serialize(c, AllFields);

    /// <summary>Makes a record in the middle of the file claim an impossible length.</summary>
    private static void Damage(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var offset = 24;
        for (var records = 0; offset + 16 <= bytes.Length; records++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 8));
            if (records == 4000)
            {
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset + 8), int.MaxValue);
                break;
            }

            offset += 16 + length;
        }

        File.WriteAllBytes(path, bytes);
    }

    private string WriteCapture(string name, int conversations, int seed) =>
        MixedCapture.Write(Path.Combine(_dir, name), conversations, seed);
}
