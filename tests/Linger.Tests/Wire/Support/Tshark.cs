using System.Globalization;

namespace Linger.Tests.Wire.Support;

/// <summary>Asks tshark (Wireshark's reader, the reference) about a capture file.</summary>
internal static class Tshark
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>One row per frame (matching <paramref name="displayFilter"/>, if any), the fields in the order asked.</summary>
    public static async Task<string[][]> FieldsAsync(string file, string? displayFilter, params string[] fields)
    {
        List<string> args = ["-r", file, "-n", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"];
        if (displayFilter is not null)
        {
            args.AddRange(["-Y", displayFilter]);
        }

        foreach (var f in fields)
        {
            args.AddRange(["-e", f]);
        }

        var result = await RunAsync(args);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToArray();
    }

    /// <summary>The rows of tshark's TCP conversation table (<c>-z conv,tcp</c>).</summary>
    public static async Task<string[]> TcpConversationsAsync(string file)
    {
        var result = await RunAsync(["-r", file, "-n", "-q", "-z", "conv,tcp"]);
        return result.Stdout.Split('\n').Where(line => line.Contains("<->", StringComparison.Ordinal)).ToArray();
    }

    /// <summary>An integer field as tshark prints it.</summary>
    public static int Int(string field) => int.Parse(field, CultureInfo.InvariantCulture);

    /// <summary>tshark's frame.time_epoch ("1700000000.123456789") as Unix nanoseconds.</summary>
    public static long EpochToNanoseconds(string epoch)
    {
        var parts = epoch.Split('.');
        var seconds = long.Parse(parts[0], CultureInfo.InvariantCulture);
        var fraction = parts.Length > 1 ? parts[1].PadRight(9, '0')[..9] : "0";
        return (seconds * 1_000_000_000) + long.Parse(fraction, CultureInfo.InvariantCulture);
    }

    private static async Task<ExternalTool.Result> RunAsync(IEnumerable<string> args)
    {
        var result = await ExternalTool.RunAsync("tshark", args, Timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"tshark failed ({result.ExitCode}): {result.Stderr}");
        }

        return result;
    }
}
