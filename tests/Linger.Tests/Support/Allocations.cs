namespace Linger.Tests.Support;

/// <summary>Measures what a piece of code allocates on the calling thread.</summary>
public static class Allocations
{
    /// <summary>
    /// The fewest bytes the calling thread allocated in any of <paramref name="rounds"/> runs of
    /// <paramref name="round"/> (given the round's number). The runtime itself allocates on the thread now and then
    /// (the tiered compiler recompiling a hot loop, its worker thread started again after idling), which one round
    /// can catch; code that allocates per item allocates in every round. What it cannot show: an allocation that comes
    /// only now and then (a table growing once), which one round may miss and the fewest hides.
    /// </summary>
    public static long Fewest(int rounds, Action<int> round)
    {
        var fewest = long.MaxValue;
        for (var r = 0; r < rounds; r++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            round(r);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
