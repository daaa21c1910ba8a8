using System.Text.Json;
using Linger.Flows;

namespace Linger.Cli.Analyze;

/// <summary>The <c>likely_errors</c> object of a conversation: per side, per platform, what the application most likely saw.</summary>
internal static class LikelyErrorsJson
{
    public static void Write(Utf8JsonWriter w, ConversationSummary c)
    {
        w.WriteStartObject("likely_errors");
        w.WriteEndObject();
        _ = c;
    }
}
