namespace Linger.Lab.Namespaces;

/// <summary>
/// Namespaces a killed lab run left behind: the lab's prefix with the id of a process that no longer exists. A live
/// run's namespaces (its process still exists) are left alone.
/// </summary>
internal static class LeftoverNamespaces
{
    private const string NetnsDirectory = "/run/netns";

    /// <summary>The lab's namespaces whose owning process is gone.</summary>
    public static List<string> Find()
    {
        var found = new List<string>();
        if (!Directory.Exists(NetnsDirectory))
        {
            return found;
        }

        foreach (var path in Directory.EnumerateFileSystemEntries(NetnsDirectory))
        {
            var name = Path.GetFileName(path);
            if (NamespaceTopology.OwnerOf(name) is { } pid && !Directory.Exists($"/proc/{pid}"))
            {
                found.Add(name);
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>Deletes the leftovers; returns the names removed.</summary>
    public static async Task<IReadOnlyList<string>> RemoveAsync(CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var name in Find())
        {
            var outcome = await NetworkCommand.RunAsync("ip", ["netns", "delete", name], cancellationToken).ConfigureAwait(false);
            if (outcome.Succeeded)
            {
                removed.Add(name);
            }
        }

        return removed;
    }
}
