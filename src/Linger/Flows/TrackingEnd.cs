namespace Linger.Flows;

/// <summary>Why the conversation tracker emitted a conversation when it did.</summary>
public enum TrackingEnd
{
    /// <summary>It finished (both sides closed, or a RST) and the linger for late packets passed.</summary>
    Finished,

    /// <summary>A new SYN reused its address and ports, starting a new conversation.</summary>
    PortReused,

    /// <summary>Nothing was seen for the inactivity timeout (in capture time).</summary>
    InactivityTimeout,

    /// <summary>The tracker held its maximum number of conversations and this one had been idle longest.</summary>
    CapacityEvicted,

    /// <summary>The input ended (<see cref="ConversationTracker.Flush"/>) while it was still being tracked.</summary>
    EndOfInput,
}
