namespace Linger.Knowledge;

/// <summary>The operating systems whose behaviour the knowledge base distinguishes.</summary>
public enum OsPlatform
{
    /// <summary>Linux.</summary>
    Linux,

    /// <summary>macOS (and, for errno numbers, the BSDs it shares them with).</summary>
    MacOS,

    /// <summary>Windows.</summary>
    Windows,

    /// <summary>Any platform.</summary>
    Any,
}

/// <summary>Conversions for <see cref="OsPlatform"/>.</summary>
public static class OsPlatforms
{
    /// <summary>The lower-case name used in data files and JSON (<c>linux</c>, <c>macos</c>, <c>windows</c>, <c>any</c>).</summary>
    public static string ToWireName(this OsPlatform platform) => platform switch
    {
        OsPlatform.Linux => "linux",
        OsPlatform.MacOS => "macos",
        OsPlatform.Windows => "windows",
        _ => "any",
    };

    /// <summary>Parses a data-file platform name; returns false for an unknown one.</summary>
    public static bool TryParse(string? name, out OsPlatform platform)
    {
        foreach (var p in Enum.GetValues<OsPlatform>())
        {
            if (string.Equals(p.ToWireName(), name, StringComparison.OrdinalIgnoreCase))
            {
                platform = p;
                return true;
            }
        }

        platform = OsPlatform.Any;
        return false;
    }

    /// <summary>The platform this process runs on.</summary>
    public static OsPlatform Current =>
        OperatingSystem.IsWindows() ? OsPlatform.Windows
        : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? OsPlatform.MacOS
        : OsPlatform.Linux;
}
