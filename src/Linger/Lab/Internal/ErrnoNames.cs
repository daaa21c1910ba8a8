using Linger.Knowledge;

namespace Linger.Lab;

/// <summary>errno numbers to names, from the knowledge base's errno table (one knowledge base).</summary>
internal static class ErrnoNames
{
    private static readonly Lazy<Dictionary<int, string>> LinuxNames = new(() =>
    {
        var names = new Dictionary<int, string>();
        foreach (var entry in KnowledgeBase.Default.Entries)
        {
            if (entry.Domain == KnowledgeDomain.Errno && entry.Name is { } name
                && entry.Numbers.TryGetValue(OsPlatform.Linux, out var number))
            {
                names.TryAdd(number, name);
            }
        }

        return names;
    });

    /// <summary>The Linux name of <paramref name="errno"/> (<c>ECONNRESET</c> for 104), or <c>errno N</c> when unknown.</summary>
    public static string Linux(int errno) => LinuxNames.Value.TryGetValue(errno, out var name) ? name : $"errno {errno}";
}
