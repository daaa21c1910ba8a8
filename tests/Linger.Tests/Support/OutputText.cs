namespace Linger.Tests.Support;

/// <summary>What two runs' outputs share when only the wall clock may differ.</summary>
public static class OutputText
{
    /// <summary>
    /// The output without the lines that carry the wall clock: the table's time taken, the Zeek log's opening and
    /// closing times.
    /// </summary>
    public static string WithoutTiming(string output) =>
        string.Join('\n', output.Split('\n').Where(l => !l.StartsWith("analysed in ", StringComparison.Ordinal)
            && !l.StartsWith("#open\t", StringComparison.Ordinal) && !l.StartsWith("#close\t", StringComparison.Ordinal)));
}
