using Linger.Flows;
using Linger.Flows.Internal;

namespace Linger.Analysis.Internal;

/// <summary>How a shard's stream of batches ended, told by its last batch.</summary>
internal enum ShardEnd
{
    /// <summary>Not the last batch: more follow.</summary>
    None,

    /// <summary>The whole capture was read and every conversation emitted.</summary>
    Finished,

    /// <summary>The shard held more conversations than its share of the limit: the analysis must run on one tracker.</summary>
    CapacityExceeded,

    /// <summary>Reading failed (<see cref="ShardBatch.Failure"/>); every packet before the failing one was tracked.</summary>
    Failed,

    /// <summary>Told to stop before the end.</summary>
    Stopped,
}

/// <summary>
/// Summaries one shard emitted, in its order, and how far it got: every packet numbered up to
/// <see cref="Watermark"/> has been tracked, so the shard's later summaries all come from later packets.
/// </summary>
internal sealed class ShardBatch(int capacity)
{
    public ConversationSummary[] Summaries { get; } = new ConversationSummary[capacity];

    public EmitOrder[] Orders { get; } = new EmitOrder[capacity];

    public int Count { get; private set; }

    public bool IsFull => Count == Summaries.Length;

    public long Watermark { get; set; }

    public ShardEnd End { get; set; }

    public Exception? Failure { get; set; }

    /// <summary>In the last batch of a shard that finished: what reading the file came to.</summary>
    public ReadTotals? Totals { get; set; }

    /// <summary>Makes a batch the merge is done with (every summary taken, so the array holds none) empty again.</summary>
    public void Reset()
    {
        Count = 0;
        Watermark = 0;
        End = ShardEnd.None;
        Failure = null;
        Totals = null;
    }

    public void Add(ConversationSummary summary, EmitOrder order)
    {
        Summaries[Count] = summary;
        Orders[Count] = order;
        Count++;
    }
}
