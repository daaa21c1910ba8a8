using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Linger.Flows;
using Linger.Flows.Internal;
using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Files;

namespace Linger.Analysis.Internal;

/// <summary>
/// One of several threads that analyse one capture file together. Every shard reads and decodes the whole file (so
/// all see the same packets, numbered alike, and the same capture clock), but tracks only the conversations whose
/// flow hash falls to it: both directions of a conversation have one key, so they fall to one shard. Its summaries
/// go out in batches, each stamped with their <see cref="EmitOrder"/>, for <see cref="ShardedFileAnalysis"/> to merge.
/// </summary>
internal sealed class TrackerShard
{
    private const int BatchSize = 1024;

    // A batch goes out at least this often (in packets), so the merge learns how far every shard got.
    private const long WatermarkEvery = 16 * 1024;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly string _path;
    private readonly AnalyzeOptions _options;
    private readonly int _index;
    private readonly int _count;
    private readonly ShardedFileAnalysis.Shared _shared;
    private readonly Thread _thread;
    private long _position;
    private long _length;

    public TrackerShard(string path, AnalyzeOptions options, int index, int count, ShardedFileAnalysis.Shared shared)
    {
        _path = path;
        _options = options;
        _index = index;
        _count = count;
        _shared = shared;
        _thread = new Thread(Run) { IsBackground = true, Name = $"linger shard {index}" };
    }

    /// <summary>The batches, in order; the last one has <see cref="ShardBatch.End"/> set.</summary>
    public BlockingCollection<ShardBatch> Batches { get; } = new(16);

    public bool IsAlive => _thread.IsAlive;

    /// <summary>Where the shard is in the file (for progress).</summary>
    public long Position => Volatile.Read(ref _position);

    /// <summary>The file's length, once the shard has opened it.</summary>
    public long Length => Volatile.Read(ref _length);

    /// <summary>Which shard tracks the conversation with this flow-key hash (its high bits; the table uses the low ones).</summary>
    public static int Of(uint hash, int count) => (int)(((ulong)hash * (uint)count) >> 32);

    public void Start() => _thread.Start();

    public bool Join(TimeSpan timeout) => _thread.Join(timeout);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run()
    {
        var batch = new ShardBatch(BatchSize);
        long sequence = 0;
        try
        {
            using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            Volatile.Write(ref _length, stream.Length);
            using var source = CaptureFile.Open(stream, _path);
            var tracker = new ConversationTracker(_options.Tracker with { MaxConversations = int.MaxValue }, ordered: true);
            var capacity = _options.Tracker.MaxConversations / _count;
            var filter = _options.Filter;
            var stats = default(DecodeStats);
            long frameNumber = 0;
            while (source.TryReadFrame(out var frame))
            {
                frameNumber++;
                if (PacketDecoder.TryDecode(in frame, frameNumber, out var packet, ref stats)
                    && (filter is null || filter.Matches(in packet)))
                {
                    sequence++;
                    tracker.Advance(packet.TimestampNs, sequence);
                    var key = FlowKey.Of(in packet, out var sender);
                    var hash = key.Hash();
                    if (Of(hash, _count) == _index)
                    {
                        tracker.AddKeyed(in packet, in key, hash, sender);
                        if (tracker.ActiveConversations > capacity)
                        {
                            // One tracker would have had to evict (or soon might): only it knows whom.
                            _shared.CapacityExceeded = true;
                            TrySend(new ShardBatch(0) { End = ShardEnd.CapacityExceeded, Watermark = sequence - 1 });
                            return;
                        }
                    }

                    while (tracker.TryTakeFinished(out var summary, out var order))
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

                if ((frameNumber & 0xFFFF) == 0)
                {
                    Volatile.Write(ref _position, stream.Position);
                    if (_shared.StopRequested || _shared.CapacityExceeded)
                    {
                        TrySend(new ShardBatch(0) { End = ShardEnd.Stopped, Watermark = sequence });
                        return;
                    }
                }
            }

            Volatile.Write(ref _position, _length);
            tracker.Flush();
            while (tracker.TryTakeFinished(out var summary, out var order))
            {
                if (batch.IsFull)
                {
                    batch = SendFull(batch, EmitOrder.EndOfInput - 1);
                }

                batch.Add(summary, order);
            }

            batch.End = ShardEnd.Finished;
            batch.Watermark = EmitOrder.EndOfInput;
            batch.Decode = stats;
            batch.Accepted = sequence;
            batch.Warnings = [.. source.Warnings];
            Send(batch);
        }
        catch (MergeGaveUpException)
        {
            // Nobody is taking batches any more: the merge failed or the run was cancelled.
        }
#pragma warning disable CA1031 // Handed to the merging thread, which throws it after the summaries before it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Every summary taken so far came from packets before the failing one; the batch holds the rest of them.
            batch.End = ShardEnd.Failed;
            batch.Failure = ex;
            batch.Watermark = sequence;
            TrySend(batch);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
