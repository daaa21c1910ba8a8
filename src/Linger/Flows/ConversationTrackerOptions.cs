namespace Linger.Flows;

/// <summary>How the conversation tracker bounds its memory. Times are capture time, not wall-clock time.</summary>
public sealed record ConversationTrackerOptions
{
    /// <summary>
    /// A conversation with no packet for this long is emitted with its state at that point. Default 1 hour: longer
    /// than Zeek's 5-minute <c>tcp_inactivity_timeout</c> on purpose, so that a RST after a long silence (a NAT or
    /// firewall that forgot the flow: AWS NAT gateways after 350 s, Azure load balancers after 4 minutes, many
    /// firewalls after 30 to 60 minutes) is judged together with the conversation it ended.
    /// </summary>
    public TimeSpan InactivityTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// After a conversation finishes (both sides closed, or a RST), late packets (a retransmitted FIN, the last ACK,
    /// RSTs answering data still in flight) are still added to it for this long; then it is emitted. Default 5
    /// seconds (Zeek's <c>tcp_close_delay</c> and <c>tcp_reset_delay</c>).
    /// </summary>
    public TimeSpan CloseLinger { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most conversations held at once; beyond it a finished one still lingering is emitted early, or else the
    /// one idle longest (<see cref="TrackingEnd.CapacityEvicted"/>). Default 1,000,000 (about 700 bytes each).
    /// </summary>
    public int MaxConversations { get; init; } = 1_000_000;
}
