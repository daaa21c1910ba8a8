namespace Linger.Flows.Internal;

/// <summary>
/// Zeek's per-endpoint TCP states (TCP_Endpoint.h, <c>TCP_ENDPOINT_*</c>); <see cref="ZeekConnStateRule"/> maps a pair
/// of them to a conn_state.
/// </summary>
internal enum ZeekEndpointState : byte
{
    /// <summary>Nothing (or nothing state-changing) seen from this side.</summary>
    Inactive,

    /// <summary>A SYN seen, no answer yet.</summary>
    SynSent,

    /// <summary>A SYN-ACK seen from the originator without its SYN.</summary>
    SynAckSent,

    /// <summary>Traffic without a SYN (the capture started midstream).</summary>
    Partial,

    /// <summary>The handshake completed (for the responder: its SYN-ACK).</summary>
    Established,

    /// <summary>A FIN seen.</summary>
    Closed,

    /// <summary>A RST seen.</summary>
    Reset,
}
