namespace Linger.Lab;

/// <summary>
/// One side's TCP state for the watched connection, as the kernel lists it (<c>/proc/net/tcp</c>), with its queues.
/// </summary>
/// <param name="State">The state name (<c>ESTABLISHED</c>, <c>FIN_WAIT2</c>, <c>TIME_WAIT</c>, ...); <c>CLOSED</c> when
/// the kernel holds nothing for the connection, <c>LISTEN</c> for a server whose connection is not there yet.</param>
/// <param name="SendQueue">Bytes sent but not yet acknowledged (for LISTEN: the accept backlog's size).</param>
/// <param name="ReceiveQueue">Bytes received but not yet read by the application (for LISTEN: connections waiting to be accepted).</param>
public sealed record TcpSocketState(string State, long SendQueue, long ReceiveQueue)
{
    /// <summary>No TCB: the connection does not exist on this side (any more or yet).</summary>
    public static TcpSocketState Closed { get; } = new("CLOSED", 0, 0);

    /// <inheritdoc />
    public override string ToString() => (SendQueue, ReceiveQueue) switch
    {
        (0, 0) => State,
        (0, var unread) => $"{State} (unread {unread})",
        (var unacked, 0) => $"{State} (unacked {unacked})",
        var (unacked, unread) => $"{State} (unacked {unacked}, unread {unread})",
    };
}
