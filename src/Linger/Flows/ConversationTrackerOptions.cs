namespace Linger.Flows;

/// <summary>How the conversation tracker bounds its memory. Times are capture time, not wall-clock time.</summary>
public sealed record ConversationTrackerOptions
{
    /// <summary>
    /// A conversation with no packet for this long is emitted with its state at that point. Default 5 minutes
    /// (Zeek's <c>tcp_inactivity_timeout</c> is also 5 minutes).
    /// </summary>
    public TimeSpan InactivityTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After a conversation finishes (both sides closed, or a RST), late packets (a retransmitted FIN, the last ACK,
    /// RSTs answering data still in flight) are still added to it for this long; then it is emitted. Default 5
    /// seconds (Zeek's <c>tcp_close_delay</c> and <c>tcp_reset_delay</c>).
    /// </summary>
    public TimeSpan CloseLinger { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most conversations held at once; beyond it the one idle longest is emitted early
    /// (<see cref="TrackingEnd.CapacityEvicted"/>). Default 1,000,000 (roughly 1 KB each).
    /// </summary>
    public int MaxConversations { get; init; } = 1_000_000;
}
