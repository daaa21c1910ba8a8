using Linger.Analysis.Internal;
using Linger.Flows;
using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Files;
using Linger.Wire.Filtering;

namespace Linger.Analysis;

/// <summary>What <see cref="CaptureAnalyzer"/> needs to know: the filter and how the tracker bounds memory.</summary>
public sealed record AnalyzeOptions
{
    /// <summary>Only packets this filter accepts are tracked; null accepts all.</summary>
    public FilterExpression? Filter { get; init; }

    /// <summary>Conversation tracking limits (inactivity timeout, linger, capacity).</summary>
    public ConversationTrackerOptions Tracker { get; init; } = new();

    /// <summary>
    /// How many threads track the conversations of a capture file (<see cref="CaptureAnalyzer.AnalyzeFile"/>; other
    /// sources use one). 0, the default, chooses from the number of processors; 1 tracks on the calling thread. The
    /// conversations and their order are the same whatever the number.
    /// </summary>
    public int Parallelism { get; init; }
}

/// <summary>Counts for one analysed source.</summary>
public sealed record AnalysisTotals
{
    /// <summary>The file (or interface) analysed.</summary>
    public required string Source { get; init; }

    /// <summary>Frames read, TCP packets decoded, and what was skipped.</summary>
    public required DecodeStats Decode { get; init; }

    /// <summary>TCP packets the filter accepted.</summary>
    public long Accepted { get; init; }

    /// <summary>Conversations emitted.</summary>
    public long Conversations { get; init; }

    /// <summary>Problems survived while reading (a truncated last record, ...).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// The analysis pipeline: frames from a source, decoded to TCP packets, filtered, tracked into conversations,
/// each conversation handed to the caller as soon as it ends. Streams with bounded memory.
/// </summary>
public static class CaptureAnalyzer
{
    // The file is decoded once for all tracking threads, but every thread walks every packet: beyond a few, that
    // outweighs the tracking each saves.
    private const int MaxAutomaticThreads = 2;

    /// <summary>Analyses one source. <paramref name="progress"/> is called now and then with the packets read so far.</summary>
    public static AnalysisTotals Analyze(
        IFrameSource source,
        string name,
        AnalyzeOptions options,
        Action<ConversationSummary> onConversation,
        Action<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onConversation);
        var tracker = new ConversationTracker(options.Tracker);
        var filter = options.Filter;
        var stats = default(DecodeStats);
        long frameNumber = 0, accepted = 0, conversations = 0;
        while (source.TryReadFrame(out var frame))
        {
            frameNumber++;
            if (PacketDecoder.TryDecode(in frame, frameNumber, out var packet, ref stats)
                && (filter is null || filter.Matches(in packet)))
            {
                accepted++;
                tracker.Add(in packet);
                while (tracker.TryTakeFinished(out var done))
                {
                    conversations++;
                    onConversation(done);
                }
            }

            if ((frameNumber & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Invoke(frameNumber);
            }
        }

        tracker.Flush();
        while (tracker.TryTakeFinished(out var rest))
        {
            conversations++;
            onConversation(rest);
        }

        return new AnalysisTotals
        {
            Source = name,
            Decode = stats,
            Accepted = accepted,
            Conversations = conversations,
            Warnings = [.. source.Warnings],
        };
    }

    /// <summary>
    /// Opens and analyses a capture file (pcap, pcapng, either gzipped). A file is analysed on several threads when
    /// there are processors for them (<see cref="AnalyzeOptions.Parallelism"/>); either way
    /// <paramref name="onConversation"/> is called on the calling thread, with the same conversations in the same
    /// order.
    /// </summary>
    public static AnalysisTotals AnalyzeFile(
        string path,
        AnalyzeOptions options,
        Action<ConversationSummary> onConversation,
        Action<long, long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onConversation);
        var threads = ThreadsFor(path, options);
        if (threads < 2)
        {
            return AnalyzeFileOnOneThread(path, options, onConversation, progress, cancellationToken);
        }

        var totals = ShardedFileAnalysis.Run(path, options, threads, onConversation, progress, cancellationToken, out var delivered);
        if (totals is not null)
        {
            return totals;
        }

        // The conversation limit was reached: one tracker decides whom to evict. The conversations handed out so far
        // are the first ones it emits too.
        long skip = delivered;
        return AnalyzeFileOnOneThread(
            path,
            options,
            c =>
            {
                if (skip > 0)
                {
                    skip--;
                }
                else
                {
                    onConversation(c);
                }
            },
            progress,
            cancellationToken);
    }

    /// <summary>Tracking threads for a file: several only for a file that can seek (its length gives the progress).</summary>
    internal static int ThreadsFor(string path, AnalyzeOptions options)
    {
        var wanted = options.Parallelism > 0 ? options.Parallelism : Math.Min(Environment.ProcessorCount, MaxAutomaticThreads);
        if (wanted < 2)
        {
            return 1;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            return stream.CanSeek ? wanted : 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 1; // the one-thread path reports it
        }
    }

    private static AnalysisTotals AnalyzeFileOnOneThread(
        string path,
        AnalyzeOptions options,
        Action<ConversationSummary> onConversation,
        Action<long, long>? progress,
        CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        var length = stream.Length;
        using var source = CaptureFile.Open(stream, path);
        return Analyze(source, path, options, onConversation, progress is null ? null : _ => progress(stream.Position, length), cancellationToken);
    }
}
