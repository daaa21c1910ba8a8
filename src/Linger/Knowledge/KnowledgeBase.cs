using System.Globalization;
using Linger.Knowledge.Internal;

namespace Linger.Knowledge;

/// <summary>
/// Every code, message, cause and remedy Linger knows, loaded once from the embedded data and resource files.
/// Commands and renderers look things up here; nothing else holds explanatory text.
/// </summary>
public sealed class KnowledgeBase
{
    private static readonly Lazy<KnowledgeBase> LazyDefault = new(() => new KnowledgeBase(KnowledgeLoader.LoadEmbedded()));

    private readonly Dictionary<string, KnowledgeEntry> _byId;
    private readonly Dictionary<string, List<KnowledgeEntry>> _byName;
    private readonly Dictionary<long, List<NumberReading>> _byNumber;
    private readonly Dictionary<string, WirePattern> _wire;
    private readonly Dictionary<string, Cause> _causes;
    private readonly Dictionary<string, PlatformDifference> _differences;
    private readonly KnowledgeText _text = new();

    private KnowledgeBase(KnowledgeLoader.Loaded loaded)
    {
        Entries = loaded.Entries;
        WirePatterns = loaded.Wire;
        Causes = loaded.Causes;
        Differences = loaded.Differences;
        _byId = new(StringComparer.OrdinalIgnoreCase);
        foreach (var e in Entries)
        {
            if (!_byId.TryAdd(e.Id, e))
            {
                throw new InvalidDataException($"Knowledge entry id '{e.Id}' is defined twice.");
            }
        }

        _byName = new(StringComparer.OrdinalIgnoreCase);
        _byNumber = [];
        foreach (var e in Entries)
        {
            foreach (var name in e.AllNames)
            {
                Add(_byName, name, e);
            }

            if (e.Number is { } n)
            {
                Add(_byNumber, n, new NumberReading(e, null));
            }

            foreach (var (platform, number) in e.Numbers)
            {
                Add(_byNumber, number, new NumberReading(e, platform));
            }
        }

        _wire = WirePatterns.ToDictionary(w => w.Id, StringComparer.Ordinal);
        _causes = Causes.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _differences = Differences.ToDictionary(d => d.Id, StringComparer.Ordinal);
    }

    /// <summary>The knowledge base built into this assembly.</summary>
    public static KnowledgeBase Default => LazyDefault.Value;

    /// <summary>Every entry, in data-file order.</summary>
    public IReadOnlyList<KnowledgeEntry> Entries { get; }

    /// <summary>Every wire pattern.</summary>
    public IReadOnlyList<WirePattern> WirePatterns { get; }

    /// <summary>Every cause.</summary>
    public IReadOnlyList<Cause> Causes { get; }

    /// <summary>Every platform difference.</summary>
    public IReadOnlyList<PlatformDifference> Differences { get; }

    /// <summary>The entry with this id, or null.</summary>
    public KnowledgeEntry? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Entries whose name or alias is <paramref name="name"/> (case-insensitive).</summary>
    public IReadOnlyList<KnowledgeEntry> FindByName(string name) =>
        _byName.TryGetValue(name, out var list) ? list : [];

    /// <summary>Every reading of a number: each entry that has it, and on which platform for errno values.</summary>
    public IReadOnlyList<NumberReading> FindByNumber(long number) =>
        _byNumber.TryGetValue(number, out var list) ? list : [];

    /// <summary>Every name and alias known, for suggestions.</summary>
    public IEnumerable<string> AllNames => _byName.Keys;

    /// <summary>The wire pattern with this id, or null.</summary>
    public WirePattern? FindWire(string id) => _wire.GetValueOrDefault(id);

    /// <summary>The cause with this id, or null.</summary>
    public Cause? FindCause(string id) => _causes.GetValueOrDefault(id);

    /// <summary>The platform difference with this id, or null.</summary>
    public PlatformDifference? FindDifference(string id) => _differences.GetValueOrDefault(id);

    /// <summary>The text for a resource key in <paramref name="culture"/>, falling back to English; null if none.</summary>
    public string? Text(string key, CultureInfo culture) => _text.Get(key, culture);

    /// <summary>The text for a resource key in exactly <paramref name="culture"/>, without fallback; null if none.</summary>
    public string? TextExact(string key, CultureInfo culture) => _text.GetExact(key, culture);

    /// <summary>The entry's short title.</summary>
    public string Title(KnowledgeEntry entry, CultureInfo culture) => Text(entry.Id + ".title", culture) ?? entry.Name ?? entry.Id;

    /// <summary>The entry's summary, or an empty string.</summary>
    public string Summary(KnowledgeEntry entry, CultureInfo culture) => Text(entry.Id + ".summary", culture) ?? string.Empty;

    /// <summary>The sentence for a reason (<c>why.&lt;key&gt;</c> in the Ui texts) with its arguments filled in.</summary>
    public string Describe(Why why, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(why);
        var format = Text("why." + why.Key, culture) ?? why.Key;
        return string.Format(culture, format, [.. why.Args]);
    }

    private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> map, TKey key, TValue value)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            list = [];
            map[key] = list;
        }

        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }
}

/// <summary>One reading of a number: an entry, and for errno values the platform whose number it is.</summary>
/// <param name="Entry">The entry.</param>
/// <param name="Platform">For errno values, the platform that uses this number; otherwise null.</param>
public sealed record NumberReading(KnowledgeEntry Entry, OsPlatform? Platform);
