using System.Globalization;

namespace Linger.Probe.Http;

/// <summary>Sizes as people type them: <c>1500</c> (bytes), <c>64KB</c>, <c>10MB</c>, <c>1GB</c> (powers of 1000), <c>10MiB</c> (powers of 1024).</summary>
public static class ByteSize
{
    /// <summary>The largest size accepted: 1 TB.</summary>
    public const long Max = 1_000_000_000_000;

    /// <summary>Parses <paramref name="text"/>; false when it is not a size between 1 byte and <see cref="Max"/>.</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().ToUpperInvariant();
        (string Suffix, long Factor)[] units =
        [
            ("KIB", 1L << 10), ("MIB", 1L << 20), ("GIB", 1L << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000),
            ("K", 1000), ("M", 1_000_000), ("G", 1_000_000_000), ("B", 1),
        ];
        long factor = 1;
        foreach (var (suffix, f) in units)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                s = s[..^suffix.Length].TrimEnd();
                factor = f;
                break;
            }
        }

        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value * factor < 1 || value * factor > Max)
        {
            return false;
        }

        bytes = (long)(value * factor);
        return true;
    }

    /// <summary>A size for people: <c>10.0 MB</c>, <c>512 bytes</c>.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.0} GB"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB"),
        >= 1000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.0} kB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
