namespace Linger.Flows.Internal;

/// <summary>
/// Shares the string of each history seen before: most conversations of a capture have one of a few histories
/// ("ShADadFf", "Sr", "S"), so hundreds of thousands of summaries need only a handful of strings.
/// </summary>
internal static class HistoryStrings
{
    private const int MaxShared = 4096;

    [ThreadStatic]
    private static Dictionary<string, string>? t_shared;

    public static string Get(ReadOnlySpan<char> history)
    {
        var shared = t_shared ??= new Dictionary<string, string>(StringComparer.Ordinal);
        var lookup = shared.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(history, out var s))
        {
            return s;
        }

        s = history.ToString();
        if (shared.Count < MaxShared)
        {
            shared.Add(s, s);
        }

        return s;
    }
}
