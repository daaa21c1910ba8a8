using System.Globalization;

namespace Linger.Wire.Live;

/// <summary>The machine's network interfaces as the kernel lists them under /sys/class/net.</summary>
internal static class NetworkInterfaces
{
    private const string SysClassNet = "/sys/class/net";
    private const int IffLoopback = 0x8;

    /// <summary>Interface names, sorted.</summary>
    public static List<string> Names()
    {
        var names = new List<string>();
        if (Directory.Exists(SysClassNet))
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(SysClassNet))
            {
                names.Add(Path.GetFileName(path));
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>The interface's index, or null when there is no such interface.</summary>
    public static int? IndexOf(string name)
    {
        // Kernel names are at most 15 bytes and never contain '/'; anything else cannot be an interface.
        if (name.Length is 0 or > 15 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            return null;
        }

        var text = ReadAttribute(name, "ifindex");
        return text is not null && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    /// <summary>True when the interface has IFF_LOOPBACK.</summary>
    public static bool IsLoopback(string name)
    {
        var text = ReadAttribute(name, "flags");
        return text is not null && text.StartsWith("0x", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags)
            && (flags & IffLoopback) != 0;
    }

    /// <summary>The index of the first loopback interface, or 0 when there is none.</summary>
    public static int LoopbackIndex()
    {
        foreach (var name in Names())
        {
            if (IsLoopback(name) && IndexOf(name) is { } index)
            {
                return index;
            }
        }

        return 0;
    }

    private static string? ReadAttribute(string name, string attribute)
    {
        try
        {
            return File.ReadAllText(Path.Combine(SysClassNet, name, attribute)).Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
