namespace Linger.Probe;

/// <summary>
/// The exit code of <c>linger probe</c> for the first stage that failed (documented in README.md): 0 when every
/// stage passed; one code per kind of stage, from 10 up, so scripts can tell where the conversation broke.
/// </summary>
public static class ProbeExitCodes
{
    private static readonly Dictionary<string, int> Codes = new(StringComparer.Ordinal)
    {
        ["resolve"] = 10,
        ["connect"] = 11,
        ["banner"] = 12,
        ["tls"] = 13,
        ["ehlo"] = 14,
        ["helo"] = 14,
        ["starttls"] = 15,
        ["auth"] = 16,
        ["login"] = 16,
        ["mail"] = 17,
        ["rcpt"] = 17,
        ["data"] = 17,
        ["pasv"] = 18,
        ["epsv"] = 18,
        ["port"] = 18,
        ["eprt"] = 18,
        ["list"] = 19,
        ["upload"] = 20,
        ["download"] = 20,
        ["request"] = 21,
        ["response"] = 21,
        ["hold"] = 22,
        ["concurrency"] = 23,
    };

    /// <summary>Every stage name with its code, for documentation and tests.</summary>
    public static IReadOnlyDictionary<string, int> All => Codes;

    /// <summary>The code for <paramref name="report"/>: 0 when it passed.</summary>
    public static int For(ProbeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.FailedStage is { } failed ? Codes.GetValueOrDefault(failed.Name, 24) : 0;
    }
}
