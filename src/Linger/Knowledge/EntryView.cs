using System.Globalization;
using System.Net.Sockets;

namespace Linger.Knowledge;

/// <summary>
/// An entry with every text resolved in one language: what renderers (terminal, JSON, HTML) show.
/// Built by <see cref="EntryViews.View(KnowledgeBase, KnowledgeEntry, CultureInfo)"/>.
/// </summary>
public sealed record EntryView
{
    /// <summary>The entry.</summary>
    public required KnowledgeEntry Entry { get; init; }

    /// <summary>Short title.</summary>
    public required string Title { get; init; }

    /// <summary>One to three sentences.</summary>
    public required string Summary { get; init; }

    /// <summary>What the wire shows, for failure entries.</summary>
    public IReadOnlyList<WireView> Wire { get; init; } = [];

    /// <summary>Causes, most common first, for failure entries.</summary>
    public IReadOnlyList<CauseView> Causes { get; init; } = [];

    /// <summary>Platform differences, for failure entries.</summary>
    public IReadOnlyList<DifferenceView> Differences { get; init; } = [];

    /// <summary>The same condition in other tables.</summary>
    public IReadOnlyList<RelatedView> Related { get; init; } = [];

    /// <summary>
    /// When the entry has no causes of its own (a program's message, a curl exit code), the related failure entry whose
    /// wire patterns, causes and differences are shown instead; otherwise null.
    /// </summary>
    public KnowledgeEntry? Via { get; init; }
}

/// <summary>A wire pattern with its texts.</summary>
/// <param name="Id">The pattern's id.</param>
/// <param name="Title">Short title.</param>
/// <param name="Text">What the capture shows.</param>
public sealed record WireView(string Id, string Title, string Text);

/// <summary>A cause with its texts.</summary>
/// <param name="Cause">The cause record (commands, linger command, sources).</param>
/// <param name="Title">Short title.</param>
/// <param name="Confirm">How to confirm it.</param>
/// <param name="Fix">How to fix it.</param>
public sealed record CauseView(Cause Cause, string Title, string Confirm, string Fix);

/// <summary>A platform difference with its texts.</summary>
/// <param name="Id">The difference's id.</param>
/// <param name="Title">Short title.</param>
/// <param name="Notes">One note per platform.</param>
public sealed record DifferenceView(string Id, string Title, IReadOnlyList<DifferenceNoteView> Notes);

/// <summary>One platform's behaviour, with its text.</summary>
/// <param name="Note">The note (platform, evidence, source).</param>
/// <param name="Text">What that platform does.</param>
public sealed record DifferenceNoteView(DifferenceNote Note, string Text);

/// <summary>An entry for the same condition in another table.</summary>
/// <param name="Entry">The related entry.</param>
/// <param name="Title">Its title.</param>
public sealed record RelatedView(KnowledgeEntry Entry, string Title);

/// <summary>Builds <see cref="EntryView"/>s.</summary>
public static class EntryViews
{
    /// <summary>Resolves every text of <paramref name="entry"/> in <paramref name="culture"/> (English where a text is missing).</summary>
    public static EntryView View(this KnowledgeBase kb, KnowledgeEntry entry, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(kb);
        ArgumentNullException.ThrowIfNull(entry);
        string T(string key) => kb.Text(key, culture) ?? string.Empty;
        var via = entry.CauseIds.Count > 0 ? null
            : entry.Related.Select(kb.Find).FirstOrDefault(r => r is { IsFailure: true, CauseIds.Count: > 0 });
        var details = via ?? entry;
        return new EntryView
        {
            Entry = entry,
            Via = via,
            Title = kb.Title(entry, culture),
            Summary = kb.Summary(entry, culture),
            Wire = [.. details.WireIds.Select(kb.FindWire).OfType<WirePattern>().Select(w => new WireView(w.Id, T($"wire.{w.Id}.title"), T($"wire.{w.Id}.text")))],
            Causes = [.. details.CauseIds.Select(kb.FindCause).OfType<Cause>().Select(c => new CauseView(c, T($"cause.{c.Id}.title"), T($"cause.{c.Id}.confirm"), T($"cause.{c.Id}.fix")))],
            Differences =
            [
                .. details.DifferenceIds.Select(kb.FindDifference).OfType<PlatformDifference>().Select(d => new DifferenceView(
                    d.Id,
                    T($"diff.{d.Id}.title"),
                    [.. d.Notes.Select(n => new DifferenceNoteView(n, T($"diff.{d.Id}.{n.Platform.ToWireName()}")))])),
            ],
            Related = [.. entry.Related.Select(kb.Find).OfType<KnowledgeEntry>().Select(r => new RelatedView(r, kb.Title(r, culture)))],
        };
    }

    /// <summary>The SocketError .NET reports for an errno entry on <paramref name="platform"/>, if it maps to one.</summary>
    public static SocketError? DotNetOn(this KnowledgeEntry entry, OsPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.DotNet.TryGetValue(platform, out var se) ? se : null;
    }
}
