using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Linger.Flows;
using Linger.Flows.Internal;

namespace Linger.Analysis.Internal;

/// <summary>
/// One of several threads that analyse one capture file together. Every shard walks every decoded packet of the file
/// (the <see cref="SharedDecoder"/>'s blocks: so all see the same packets, numbered alike, and the same capture clock),
/// but tracks only the conversations whose flow hash falls to it: both directions of a conversation have one key, so
/// they fall to one shard. Its summaries
/// go out in batches, each stamped with their <see cref="EmitOrder"/>, for <see cref="ShardedFileAnalysis"/> to merge.
/// </summary>
internal sealed class TrackerShard
{
    private const int BatchSize = 1024;

    // A batch goes out at least this often (in packets), so the merge learns how far every shard got. Less than the
    // span of the decoder's ring: a shard waits for a shard behind only when it is almost a ring ahead, and the merge
    // must then already know it is past everything the one behind has emitted, or the merge would wait for the one
    // ahead, the one ahead for the one behind, and the one behind, its queue full, for the merge.
    private const long WatermarkEvery = SharedDecoder.RingSpan / 2;

    // How many packets ahead (of every shard's) a shard asks for the memory of the conversation a packet of its own
    // will touch: about 8 of its own. 16 measured best of 8, 16 and 32 (BENCHMARKS.md).
    private const int PrefetchDistance = 16;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly SharedDecoder _decoder;
    private readonly AnalyzeOptions _options;
    private readonly int _index;
    private readonly int _count;
    private readonly ShardedFileAnalysis.Shared _shared;
    private readonly Thread _thread;

    public TrackerShard(SharedDecoder decoder, AnalyzeOptions options, int index, int count, ShardedFileAnalysis.Shared shared)
    {
        _decoder = decoder;
        _options = options;
        _index = index;
        _count = count;
        _shared = shared;
        _thread = new Thread(Run) { IsBackground = true, Name = $"linger shard {index}" };
    }

    /// <summary>The batches, in order; the last one has <see cref="ShardBatch.End"/> set.</summary>
    public BlockingCollection<ShardBatch> Batches { get; } = new(16);

    public bool IsAlive => _thread.IsAlive;

    /// <summary>Which shard tracks the conversation with this flow-key hash (its high bits; the table uses the low ones).</summary>
    public static int Of(uint hash, int count) => (int)(((ulong)hash * (uint)count) >> 32);

    public void Start() => _thread.Start();

    public bool Join(TimeSpan timeout) => _thread.Join(timeout);

    [MethodImpl(Compile.Hot)]
    private void Run()
    {
        var batch = NewBatch();
        long sequence = 0;
        try
        {
            var tracker = new ConversationTracker(_options.Tracker with { MaxConversations = int.MaxValue }, ordered: true);
            var capacity = _options.Tracker.MaxConversations / _count;
            var index = _index;
            for (long number = 0; ; number++)
            {
                var block = _decoder.Get(number);
                if (block is null || _shared.StopRequested || _shared.CapacityExceeded)
                {
                    TrySend(new ShardBatch(0) { End = ShardEnd.Stopped, Watermark = sequence });
                    return;
                }

                var count = block.Count;
                var owners = block.Owners;
                var timestamps = block.Timestamps;
                var hashes = block.Hashes;
                for (var i = 0; i < count; i++)
                {
                    sequence++;
                    var ahead = i + PrefetchDistance; // (the first few packets of a block go without)
                    if (ahead < count && owners[ahead] == index)
                    {
                        tracker.Prefetch(hashes[ahead]);
                    }

                    tracker.Advance(timestamps[i], sequence);
                    if (owners[i] == index)
                    {
                        tracker.AddKeyed(in block.Packets[i], in block.Keys[i], block.Hashes[i], block.Senders[i]);
                        if (tracker.ActiveConversations > capacity)
                        {
                            // One tracker would have had to evict (or soon might): only it knows whom.
                            _shared.CapacityExceeded = true;
                            TrySend(new ShardBatch(0) { End = ShardEnd.CapacityExceeded, Watermark = sequence - 1 });
                            return;
                        }
                    }

                    // (Most packets end no conversation: the count is a field, the queue's dequeue a call.)
                    while (tracker.PendingCount > 0 && tracker.TryTakeFinished(out var summary, out var order))
                    {
                        batch.Add(summary, order);
                        if (batch.IsFull)
                        {
                            batch = SendFull(batch, sequence - 1);
                        }
                    }

                    if (sequence % WatermarkEvery == 0)
                    {
                        batch = SendFull(batch, sequence);
                    }
                }

                var last = block.Last;
                var failure = block.Failure;
                var totals = block.Totals;
                _decoder.Release(index, number); // the block may be reused from here on
                if (failure is not null)
                {
                    // Every summary taken so far came from packets before the failing one; the batch holds the rest of them.
                    batch.End = ShardEnd.Failed;
                    batch.Failure = failure;
                    batch.Watermark = sequence;
                    TrySend(batch);
                    return;
                }

                if (last)
                {
                    CollectBeforeTheFlush(tracker.ActiveConversations);
                    tracker.BeginFlush();
                    bool more;
                    do
                    {
                        // A batch at a time, each sent as soon as it is full: the merge writes the first rows while the
                        // rest are built.
                        more = tracker.FlushSome(BatchSize - batch.Count);
                        while (tracker.TryTakeFinished(out var summary, out var order))
                        {
                            batch.Add(summary, order);
                        }

                        if (batch.IsFull && more)
                        {
                            batch = SendFull(batch, EmitOrder.EndOfInput - 1);
                        }
                    }
                    while (more);

                    batch.End = ShardEnd.Finished;
                    batch.Watermark = EmitOrder.EndOfInput;
                    batch.Totals = totals;
                    Send(batch);
                    return;
                }
            }
        }
        catch (MergeGaveUpException)
        {
            // Nobody is taking batches any more: the merge failed or the run was cancelled.
        }
#pragma warning disable CA1031 // Handed to the merging thread, which throws it after the summaries before it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            batch.End = ShardEnd.Failed;
            batch.Failure = ex;
            batch.Watermark = sequence;
            TrySend(batch);
        }
        finally
        {
            _decoder.Leave(_index);
        }
    }

    /// <summary>
    /// At the end of the input every conversation still tracked becomes a summary at once (145,000 on the benchmark
    /// capture), enough to set off a young-generation collection in the middle of building them, which then copies
    /// the tens of megabytes of summaries already built (about 20 ms, with every thread stopped). The first shard at
    /// the end collects before building, when little is alive (about 6 ms), so the summaries fit in what the
    /// collection leaves. Not for fewer than 50,000 (counted over all shards): their summaries (a few hundred bytes
    /// each) seldom set one off, and a collection forced for nothing costs a few milliseconds (a capture with 30,000
    /// open at the end: 4 ms).
    /// </summary>
    private void CollectBeforeTheFlush(int conversations)
    {
        const int Worthwhile = 50_000;
        if (conversations * _count >= Worthwhile && _shared.TryTakeEndCollection())
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        }
    }

    /// <summary>
    /// Sends the batch as it is, marked with <paramref name="watermark"/> (the summaries still to come from the
    /// current packet are not in it, hence the packet before), and starts a new one.
    /// </summary>
    private ShardBatch SendFull(ShardBatch batch, long watermark)
    {
        batch.Watermark = watermark;
        Send(batch);
        return NewBatch();
    }

    /// <summary>
    /// An empty batch: one the merge is done with when there is one. Most batches go out half empty (one every
    /// <see cref="WatermarkEvery"/> packets, to say how far the shard got), and new ones took about 20 MB a run over
    /// the benchmark capture.
    /// </summary>
    private ShardBatch NewBatch()
    {
        if (_shared.SpentBatches.TryDequeue(out var batch))
        {
            batch.Reset();
            return batch;
        }

        return new ShardBatch(BatchSize);
    }

    private void Send(ShardBatch batch)
    {
        if (!TrySend(batch))
        {
            throw new MergeGaveUpException();
        }
    }

    /// <summary>
    /// Queues a batch; false when the merge has given up (an error, a cancelled run), so nobody will take it. The
    /// queue is bounded: a shard far ahead of the merge waits, so memory stays bounded.
    /// </summary>
    [MethodImpl(Compile.Hot)]
    private bool TrySend(ShardBatch batch)
    {
        while (!Batches.TryAdd(batch, PollInterval))
        {
            if (_shared.StopRequested)
            {
                return false;
            }
        }

        return true;
    }

    private sealed class MergeGaveUpException : Exception
    {
    }
}
