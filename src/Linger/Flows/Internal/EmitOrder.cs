using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// Where a summary falls in the order one tracker emits them: by the number of the packet during which it was
/// emitted; within one packet by the step that emitted it (finished conversations whose linger passed, then idle
/// ones, then the one a reused port ended, then one evicted for room); within a step by its place in the tracker's
/// list, which is the number of the packet that last put it at the end. Summaries emitted when the input ended come
/// after all of those, by their first frame. Several trackers that each follow part of one capture, told the same
/// packet numbers, together emit exactly the summaries one tracker would, and sorting them by this order gives its
/// order.
/// </summary>
internal readonly record struct EmitOrder(long Sequence, int Step, long Position) : IComparable<EmitOrder>
{
    public const int LingerStep = 0;
    public const int IdleStep = 1;
    public const int ReuseStep = 2;
    public const int EvictStep = 3;

    /// <summary>The packet number of summaries emitted when the input ended.</summary>
    public const long EndOfInput = long.MaxValue;

    public static EmitOrder AtEnd(long firstFrame) => new(EndOfInput, 0, firstFrame);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int CompareTo(EmitOrder other)
    {
        if (Sequence != other.Sequence)
        {
            return Sequence < other.Sequence ? -1 : 1;
        }

        if (Step != other.Step)
        {
            return Step < other.Step ? -1 : 1;
        }

        return Position.CompareTo(other.Position);
    }

    public static bool operator <(EmitOrder left, EmitOrder right) => left.CompareTo(right) < 0;

    public static bool operator >(EmitOrder left, EmitOrder right) => left.CompareTo(right) > 0;

    public static bool operator <=(EmitOrder left, EmitOrder right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EmitOrder left, EmitOrder right) => left.CompareTo(right) >= 0;
}
