using Linger.Flows;

namespace Linger.Cli.Analyze;

/// <summary>One output format of <c>linger analyze</c>: conversations are written as they end.</summary>
internal interface IConversationWriter
{
    /// <summary>Before the first conversation.</summary>
    void Begin(DateTimeOffset opened);

    /// <summary>One conversation.</summary>
    void Write(ConversationSummary conversation);

    /// <summary>After the last conversation.</summary>
    void End(DateTimeOffset closed);
}
