using System.Globalization;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;

namespace Linger.Knowledge.Internal;

/// <summary>Reads the embedded <c>Data/*.json</c> files into entries, wire patterns, causes and differences.</summary>
internal static class KnowledgeLoader
{
    private const string DataPrefix = "Linger.Knowledge.Data.";

    // Kept for the life of the process: an enumerator over it is the "no such array" answer.
    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement;

    internal sealed record Loaded(
        IReadOnlyList<KnowledgeEntry> Entries,
        IReadOnlyList<WirePattern> Wire,
        IReadOnlyList<Cause> Causes,
        IReadOnlyList<PlatformDifference> Differences);

    internal static Loaded LoadEmbedded()
    {
        var assembly = typeof(KnowledgeLoader).Assembly;
        var entries = new List<KnowledgeEntry>();
        JsonElement? failures = null;
        var documents = new List<JsonDocument>();
        try
        {
            foreach (var name in assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
            {
                if (!name.StartsWith(DataPrefix, StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal))
                {
                    continue;
                }

                var doc = Parse(assembly, name);
                documents.Add(doc);
                if (name == DataPrefix + "failures.json")
                {
                    failures = doc.RootElement;
                    continue;
                }

                if (doc.RootElement.TryGetProperty("entries", out var list))
                {
                    foreach (var e in list.EnumerateArray())
                    {
                        entries.Add(ReadEntry(e, name));
                    }
                }
            }

            var wire = new List<WirePattern>();
            var causes = new List<Cause>();
            var differences = new List<PlatformDifference>();
            if (failures is { } f)
            {
                foreach (var w in Array(f, "wire"))
                {
                    wire.Add(new WirePattern(Required(w, "id", "failures.json")));
                }

                foreach (var c in Array(f, "causes"))
                {
                    causes.Add(ReadCause(c));
                }

                foreach (var d in Array(f, "differences"))
                {
                    differences.Add(ReadDifference(d));
                }

                if (f.TryGetProperty("entries", out var map))
                {
                    var byId = entries.Select((e, i) => (e, i)).ToDictionary(x => x.e.Id, x => x.i, StringComparer.Ordinal);
                    foreach (var p in map.EnumerateObject())
                    {
                        if (!byId.TryGetValue(p.Name, out var index))
                        {
                            throw new InvalidDataException($"failures.json names entry '{p.Name}', which no data file defines.");
                        }

                        entries[index] = entries[index] with
                        {
                            IsFailure = true,
                            WireIds = Strings(p.Value, "wire"),
                            CauseIds = Strings(p.Value, "causes"),
                            DifferenceIds = Strings(p.Value, "differences"),
                        };
                    }
                }
            }

            return new Loaded(entries, wire, causes, differences);
        }
        finally
        {
            foreach (var d in documents)
            {
                d.Dispose();
            }
        }
    }

    private static JsonDocument Parse(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidDataException($"Embedded knowledge file '{name}' is missing.");
        try
        {
            return JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Knowledge file '{name}' is not valid JSON (line {ex.LineNumber + 1}): {ex.Message}", ex);
        }
    }

    private static KnowledgeEntry ReadEntry(JsonElement e, string file)
    {
        var id = Required(e, "id", file);
        var domainName = Optional(e, "domain") ?? id[..Math.Max(0, id.IndexOf('.', StringComparison.Ordinal))];
        if (!KnowledgeDomains.TryParse(domainName, out var domain))
        {
            throw new InvalidDataException($"{file}: entry '{id}' has unknown domain '{domainName}'.");
        }

        var numbers = new Dictionary<OsPlatform, int>();
        if (e.TryGetProperty("numbers", out var ns) && ns.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in ns.EnumerateObject())
            {
                if (OsPlatforms.TryParse(p.Name, out var platform) && p.Value.ValueKind == JsonValueKind.Number)
                {
                    numbers[platform] = p.Value.GetInt32();
                }
            }
        }

        var dotnet = new Dictionary<OsPlatform, SocketError>();
        if (e.TryGetProperty("dotnet", out var ds) && ds.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in ds.EnumerateObject())
            {
                if (!OsPlatforms.TryParse(p.Name, out var platform) || !Enum.TryParse<SocketError>(p.Value.GetString(), out var se))
                {
                    throw new InvalidDataException($"{file}: entry '{id}' maps to unknown SocketError '{p.Value}' for '{p.Name}'.");
                }

                dotnet[platform] = se;
            }
        }

        return new KnowledgeEntry
        {
            Id = id,
            Domain = domain,
            Number = ReadNumber(e, id, file),
            Numbers = numbers,
            DotNet = dotnet,
            Name = Optional(e, "name"),
            Aliases = Strings(e, "aliases"),
            Program = Optional(e, "program"),
            Messages = Strings(e, "messages"),
            Related = Strings(e, "related"),
            Sources = Strings(e, "sources"),
            IsFailure = e.TryGetProperty("failure", out var fl) && fl.ValueKind == JsonValueKind.True,
        };
    }

    private static long? ReadNumber(JsonElement e, string id, string file)
    {
        if (!e.TryGetProperty("number", out var n) || n.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (n.ValueKind == JsonValueKind.Number)
        {
            return n.GetInt64();
        }

        var s = n.GetString() ?? string.Empty;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return hex;
        }

        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var dec))
        {
            return dec;
        }

        throw new InvalidDataException($"{file}: entry '{id}' has a number '{s}' that is neither decimal nor 0x-hex.");
    }

    private static Cause ReadCause(JsonElement c)
    {
        var id = Required(c, "id", "failures.json");
        var steps = new List<ConfirmStep>();
        foreach (var s in Array(c, "confirm"))
        {
            var platform = OsPlatforms.TryParse(Optional(s, "platform"), out var p) ? p : OsPlatform.Any;
            steps.Add(new ConfirmStep(platform, Required(s, "command", "failures.json cause " + id)));
        }

        return new Cause { Id = id, Confirm = steps, LingerCommand = Optional(c, "linger"), Sources = Strings(c, "sources") };
    }

    private static PlatformDifference ReadDifference(JsonElement d)
    {
        var id = Required(d, "id", "failures.json");
        var notes = new List<DifferenceNote>();
        foreach (var n in Array(d, "notes"))
        {
            if (!OsPlatforms.TryParse(Optional(n, "platform"), out var platform))
            {
                throw new InvalidDataException($"failures.json: difference '{id}' has a note with an unknown platform.");
            }

            var measured = string.Equals(Optional(n, "status"), "measured", StringComparison.OrdinalIgnoreCase);
            notes.Add(new DifferenceNote
            {
                Platform = platform,
                Evidence = measured ? Evidence.Measured : Evidence.Documented,
                MeasuredBy = Optional(n, "measured_by"),
                Source = Optional(n, "source"),
            });
        }

        return new PlatformDifference { Id = id, Notes = notes };
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement e, string name) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : EmptyArray.EnumerateArray();

    private static string[] Strings(JsonElement e, string name) =>
        [.. Array(e, name).Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)];

    private static string? Optional(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Required(JsonElement e, string name, string where) =>
        Optional(e, name) ?? throw new InvalidDataException($"{where}: an item lacks the required string '{name}'.");
}
