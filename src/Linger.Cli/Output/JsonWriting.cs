using System.Text.Json;

namespace Linger.Cli.Output;

/// <summary>The JSON documents' convention: a field that has no value is written as null, never left out.</summary>
internal static class JsonWriting
{
    public static void WriteStringOrNull(this Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    public static void WriteNumberOrNull(this Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void WriteBooleanOrNull(this Utf8JsonWriter w, string name, bool? value)
    {
        if (value is { } v)
        {
            w.WriteBoolean(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
