using Linger.Flows;

namespace Linger.Cli.Analyze;

/// <summary>
/// A format whose rows can be formatted on a second thread: a twin (same format and settings, writing to memory)
/// formats one batch while this writer formats the one before it, and this writer then takes the twin's bytes, in
/// order. <see cref="BackgroundWriter"/> does this when it falls behind (at the end of a file, when the conversations
/// still open all end at once), so the rows come out as one writer would have written them.
/// </summary>
internal interface IRowsInParallel : IConversationWriter
{
    /// <summary>
    /// A writer of the same format whose rows go to <paramref name="sink"/>, for <see cref="FormatRow"/>; null when this
    /// writer formats on its own thread only (colour, or rows written one at a time).
    /// </summary>
    IRowsInParallel? CreateTwin(Stream sink);

    /// <summary>Formats a conversation's row (what <see cref="IConversationWriter.Write"/> does, without counting it for a summary).</summary>
    void FormatRow(ConversationSummary conversation);

    /// <summary>Hands the rows formatted so far to the writer's stream.</summary>
    void HandOver();

    /// <summary>
    /// Takes the rows a twin formatted for <paramref name="conversations"/>: counts them as <see cref="IConversationWriter.Write"/>
    /// counts, and writes <paramref name="rows"/> after the rows this writer formatted itself.
    /// </summary>
    void WriteFormatted(ReadOnlySpan<ConversationSummary> conversations, ReadOnlySpan<byte> rows);
}
