using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Linger.Cli.Output;
using Linger.Knowledge;

namespace Linger.Cli.Explain;

/// <summary>The JSON output of <c>linger explain</c> (schema <c>linger.explain/1</c>, documented in README.md).</summary>
internal static class ExplainJson
{
    public const string Schema = "linger.explain/1";
    public const string ListSchema = "linger.explain-list/1";

    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(TextWriter output, KnowledgeBase kb, Explanation explanation, CultureInfo culture)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteString("schema", Schema);
            w.WriteString("query", explanation.Query);
            w.WriteString("lang", culture.TwoLetterISOLanguageName);
            w.WriteBoolean("found", explanation.Found);
            w.WriteStartArray("readings");
            foreach (var r in explanation.Readings)
            {
                Reading(w, kb, r, culture);
            }

            w.WriteEndArray();
            w.WriteStartArray("suggestions");
            foreach (var s in explanation.Suggestions)
            {
                w.WriteStringValue(s);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    public static void WriteList(TextWriter output, KnowledgeBase kb, IReadOnlyList<KnowledgeEntry> entries, string? platform, CultureInfo culture)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteString("schema", ListSchema);
            w.WriteString("lang", culture.TwoLetterISOLanguageName);
            if (platform is null)
            {
                w.WriteNull("platform");
            }
            else
            {
                w.WriteString("platform", platform);
            }

            w.WriteNumber("count", entries.Count);
            w.WriteStartArray("entries");
            foreach (var e in entries)
            {
                w.WriteStartObject();
                Identity(w, e);
                w.WriteString("title", kb.Title(e, culture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void Identity(Utf8JsonWriter w, KnowledgeEntry e)
    {
        w.WriteString("id", e.Id);
        w.WriteString("domain", e.Domain.ToWireName());
        w.WriteString("code", e.DisplayCode);
        if (e.Number is { } n)
        {
            w.WriteNumber("number", n);
        }
        else
        {
            w.WriteNull("number");
        }

        w.WriteStringOrNull("name", e.Name);
        w.WriteStringOrNull("program", e.Program);
        w.WriteStartObject("numbers");
        foreach (var (p, v) in e.Numbers.OrderBy(p => p.Key))
        {
            w.WriteNumber(p.ToWireName(), v);
        }

        w.WriteEndObject();
        w.WriteStartObject("dotnet");
        foreach (var (p, v) in e.DotNet.OrderBy(p => p.Key))
        {
            w.WriteStartObject(p.ToWireName());
            w.WriteString("name", v.ToString());
            w.WriteNumber("value", (int)v);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteBoolean("failure", e.IsFailure);
    }

    private static void Reading(Utf8JsonWriter w, KnowledgeBase kb, Reading r, CultureInfo culture)
    {
        var view = kb.View(r.Entry, culture);
        w.WriteStartObject();
        Identity(w, r.Entry);
        w.WriteNumber("score", r.Score);
        w.WriteString("matched", r.Matched);
        Strings(w, "platforms", r.Platforms.Select(p => p.ToWireName()));
        w.WriteStartArray("why");
        foreach (var why in r.Why)
        {
            w.WriteStartObject();
            w.WriteString("key", why.Key);
            w.WriteString("text", kb.Describe(why, culture));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("title", view.Title);
        w.WriteString("summary", view.Summary);
        w.WriteStringOrNull("details_from", view.Via?.Id);
        w.WriteStartArray("wire");
        foreach (var x in view.Wire)
        {
            w.WriteStartObject();
            w.WriteString("id", x.Id);
            w.WriteString("title", x.Title);
            w.WriteString("text", x.Text);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("causes");
        var rank = 1;
        foreach (var c in view.Causes)
        {
            w.WriteStartObject();
            w.WriteString("id", c.Cause.Id);
            w.WriteNumber("rank", rank++);
            w.WriteString("title", c.Title);
            w.WriteString("confirm", c.Confirm);
            w.WriteString("fix", c.Fix);
            w.WriteStartArray("commands");
            foreach (var s in c.Cause.Confirm)
            {
                w.WriteStartObject();
                w.WriteString("platform", s.Platform.ToWireName());
                w.WriteString("command", s.Command);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (c.Cause.LingerCommand is { } lc)
            {
                var parts = lc.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                w.WriteStartObject("linger");
                w.WriteString("command", lc);
                w.WriteBoolean("available", parts.Length > 1 && LingerApp.Commands.Contains(parts[1]));
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("linger");
            }

            Strings(w, "sources", c.Cause.Sources);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("differences");
        foreach (var d in view.Differences)
        {
            w.WriteStartObject();
            w.WriteString("id", d.Id);
            w.WriteString("title", d.Title);
            w.WriteStartArray("notes");
            foreach (var n in d.Notes)
            {
                w.WriteStartObject();
                w.WriteString("platform", n.Note.Platform.ToWireName());
                w.WriteString("evidence", n.Note.Evidence == Evidence.Measured ? "measured" : "documented");
                w.WriteString("text", n.Text);
                w.WriteStringOrNull("source", n.Note.Source);
                w.WriteStringOrNull("measured_by", n.Note.MeasuredBy);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("related");
        foreach (var rel in view.Related)
        {
            w.WriteStartObject();
            w.WriteString("id", rel.Entry.Id);
            w.WriteString("domain", rel.Entry.Domain.ToWireName());
            w.WriteString("code", rel.Entry.DisplayCode);
            w.WriteStringOrNull("name", rel.Entry.Name);
            w.WriteString("title", rel.Title);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        Strings(w, "sources", r.Entry.Sources);
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
