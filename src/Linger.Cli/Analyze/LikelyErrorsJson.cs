using System.Text.Json;
using Linger.Flows;
using Linger.Knowledge;

namespace Linger.Cli.Analyze;

/// <summary>
/// The <c>likely_errors</c> object of a conversation: per side, per platform, what the application most likely saw,
/// as knowledge-base entries (<c>linger explain ID</c> tells the rest).
/// </summary>
internal static class LikelyErrorsJson
{
    public static void Write(Utf8JsonWriter w, ConversationSummary c)
    {
        w.WriteStartObject("likely_errors");
        foreach (var side in (ReadOnlySpan<Side>)[Side.Client, Side.Server])
        {
            if (!c.LikelyErrors.TryGetValue(side, out var errors) || errors.Count == 0)
            {
                continue;
            }

            w.WriteStartObject(side == Side.Client ? "client" : "server");
            foreach (var e in errors)
            {
                w.WriteStartObject(e.Domain == KnowledgeDomain.DotNet ? "dotnet_" + e.Platform.ToWireName() : e.Platform.ToWireName());
                w.WriteString("id", e.EntryId);
                w.WriteString("name", e.DisplayName);
                w.WriteString("call", e.Call switch
                {
                    FailingCall.Connect => "connect",
                    FailingCall.Send => "send",
                    _ => "send_or_receive",
                });
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
