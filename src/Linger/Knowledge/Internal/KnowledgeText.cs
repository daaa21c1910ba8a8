using System.Globalization;
using System.Resources;

namespace Linger.Knowledge.Internal;

/// <summary>
/// The words of the knowledge base, read from the compiled resx files (neutral English in the main assembly,
/// Russian in the <c>ru</c> satellite). Keys are unique across files, so a lookup tries each file in turn.
/// </summary>
internal sealed class KnowledgeText
{
    private const string TextPrefix = "Linger.Knowledge.Text.";
    private readonly ResourceManager[] _managers;

    internal KnowledgeText()
    {
        var assembly = typeof(KnowledgeText).Assembly;
        _managers =
        [
            .. assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith(TextPrefix, StringComparison.Ordinal) && n.EndsWith(".resources", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(n => new ResourceManager(n[..^".resources".Length], assembly)),
        ];
    }

    /// <summary>The text for <paramref name="key"/> in <paramref name="culture"/>, falling back to English; null when absent.</summary>
    internal string? Get(string key, CultureInfo culture)
    {
        foreach (var m in _managers)
        {
            var s = m.GetString(key, culture);
            if (s is not null)
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>The text for <paramref name="key"/> in exactly <paramref name="culture"/>, with no fallback to English.</summary>
    internal string? GetExact(string key, CultureInfo culture)
    {
        foreach (var m in _managers)
        {
            var set = m.GetResourceSet(culture, createIfNotExists: true, tryParents: false);
            if (set?.GetString(key) is { } s)
            {
                return s;
            }
        }

        return null;
    }
}
