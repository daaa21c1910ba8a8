using System.Runtime.ExceptionServices;
using Linger.Flows;
using Linger.Flows.Internal;

namespace Linger.Analysis.Internal;

/// <summary>
/// Analyses one capture file on several threads (<see cref="TrackerShard"/>s, each tracking the conversations whose
/// flow hash falls to it) and hands the summaries to the caller, on the calling thread, in exactly the order one
/// tracker would have emitted them: each summary carries its <see cref="EmitOrder"/>, and a summary goes out once
/// every other shard has either a later one waiting or has tracked past the packet it came from.
/// </summary>
/// <remarks>
/// Identical to one tracker because the trackers' only shared state is the capture clock (every shard sees every
/// packet's time) and the conversation limit: a shard that holds more than its share of the limit makes the whole
/// run give up (one tracker might have had to evict, and only one tracker knows whom), after the summaries that are
/// certain went out; <see cref="CaptureAnalyzer"/> then finishes on one tracker.
/// </remarks>
internal static class ShardedFileAnalysis
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs the analysis; null when it gave up for the conversation limit, after handing out
    /// <paramref name="delivered"/> summaries (the first ones of the run, in order).
    /// </summary>
    public static AnalysisTotals? Run(
        string path,
        AnalyzeOptions options,
        int shardCount,
        Action<ConversationSummary> onConversation,
        Action<long, long>? progress,
        CancellationToken cancellationToken,
        out long delivered)
    {
        delivered = 0;
        var shared = new Shared();
        using var decoder = new SharedDecoder(path, options, shardCount, shared);
        var cursors = new Cursor[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            cursors[i] = new Cursor(new TrackerShard(decoder, options, i, shardCount, shared), shared);
        }

        try
        {
            foreach (var c in cursors)
            {
                c.Shard.Start();
            }

            var limit = EmitOrder.EndOfInput; // lowered to where a failed shard stopped
            Exception? failure = null;
            while (true)
            {
                Cursor? best = null;
                foreach (var c in cursors)
                {
                    if (c.HasItem && (best is null || c.HeadOrder < best.HeadOrder))
                    {
                        best = c;
                    }
                }

                var candidate = best is not null && best.HeadOrder.Sequence <= limit ? best : null;
                var needed = candidate?.HeadOrder.Sequence ?? limit;
                Cursor? blocker = null;
                foreach (var c in cursors)
                {
                    // A shard with nothing waiting might still emit something earlier, unless it has tracked past it.
                    // The one furthest behind goes first: the shards walk one ring of decoded packets, so one ahead
                    // may be waiting for it, and it for room in its queue.
                    if (!c.HasItem && !c.Final && c.Watermark < needed && (blocker is null || c.Watermark < blocker.Watermark))
                    {
                        blocker = c;
                    }
                }

                if (blocker is not null)
                {
                    var batch = Fetch(blocker, decoder, progress, cancellationToken);
                    switch (batch.End)
                    {
                        case ShardEnd.CapacityExceeded or ShardEnd.Stopped:
                            return null;
                        case ShardEnd.Failed:
                            limit = Math.Min(limit, batch.Watermark);
                            failure ??= batch.Failure;
                            break;
                    }

                    continue;
                }

                if (candidate is null)
                {
                    break;
                }

                onConversation(candidate.Take());
                delivered++;
            }

            if (failure is not null)
            {
                ExceptionDispatchInfo.Capture(failure).Throw();
            }

            var read = cursors[0].Last!.Totals!;
            return new AnalysisTotals
            {
                Source = path,
                Decode = read.Decode,
                Accepted = read.Accepted,
                Conversations = delivered,
                Warnings = read.Warnings,
            };
        }
        finally
        {
            shared.StopRequested = true;
            foreach (var c in cursors)
            {
                c.Shard.Join(StopTimeout);
                c.Shard.Batches.Dispose();
            }
        }
    }

    private static ShardBatch Fetch(Cursor cursor, SharedDecoder decoder, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        ShardBatch? batch;
        while (!cursor.Shard.Batches.TryTake(out batch, (int)PollInterval.TotalMilliseconds, cancellationToken))
        {
            if (!cursor.Shard.IsAlive && cursor.Shard.Batches.Count == 0)
            {
                throw new InvalidOperationException("an analysis thread stopped without a word; this is a bug in Linger.");
            }

            progress?.Invoke(decoder.Position, decoder.Length);
        }

        progress?.Invoke(decoder.Position, decoder.Length);

        cursor.Receive(batch!);
        return batch!;
    }

    /// <summary>What the merge and the shards tell each other.</summary>
    internal sealed class Shared
    {
        private volatile bool _stopRequested;
        private volatile bool _capacityExceeded;
        private int _endCollectionTaken;

        /// <summary>The merge is over (done, failed or cancelled): shards stop at their next look.</summary>
        public bool StopRequested
        {
            get => _stopRequested;
            set => _stopRequested = value;
        }

        /// <summary>True for the first shard to ask: it collects before the end-of-input summaries are built.</summary>
        public bool TryTakeEndCollection() => Interlocked.Exchange(ref _endCollectionTaken, 1) == 0;

        /// <summary>Batches the merge has taken every summary from, for the shards to fill again.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<ShardBatch> SpentBatches { get; } = new();

        /// <summary>A shard held more than its share of the conversation limit: the others stop too.</summary>
        public bool CapacityExceeded
        {
            get => _capacityExceeded;
            set => _capacityExceeded = value;
        }
    }

    /// <summary>The merge's place in one shard's stream of batches.</summary>
    private sealed class Cursor(TrackerShard shard, Shared shared)
    {
        private ShardBatch? _batch;
        private int _next;

        public TrackerShard Shard { get; } = shard;

        /// <summary>Every packet numbered up to this one has been tracked by the shard.</summary>
        public long Watermark { get; private set; } = -1;

        /// <summary>The shard's last batch has arrived: nothing more comes.</summary>
        public bool Final { get; private set; }

        /// <summary>The shard's last batch, when it finished normally.</summary>
        public ShardBatch? Last { get; private set; }

        public bool HasItem => _batch is not null && _next < _batch.Count;

        public EmitOrder HeadOrder => _batch!.Orders[_next];

        public ConversationSummary Take()
        {
            var summary = _batch!.Summaries[_next];
            _batch.Summaries[_next++] = null!; // the caller may keep it; the batch should not
            return summary;
        }

        public void Receive(ShardBatch batch)
        {
            if (_batch is { End: ShardEnd.None } spent)
            {
                shared.SpentBatches.Enqueue(spent); // every summary in it was taken (HasItem was false)
            }

            _batch = batch;
            _next = 0;
            Watermark = batch.Watermark;
            if (batch.End != ShardEnd.None)
            {
                Final = true;
                if (batch.End == ShardEnd.Finished)
                {
                    Last = batch;
                }
            }
        }
    }
}
