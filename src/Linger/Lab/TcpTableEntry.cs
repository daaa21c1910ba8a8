using System.Net;

namespace Linger.Lab;

/// <summary>One line of the kernel's TCP socket table (<c>/proc/net/tcp</c>, <c>/proc/net/tcp6</c>).</summary>
/// <param name="Local">Local address and port.</param>
/// <param name="Remote">Remote address and port (0.0.0.0:0 for a listener).</param>
/// <param name="State">State name as <see cref="TcpSocketState.State"/> spells it.</param>
/// <param name="SendQueue">tx_queue: unsent or unacknowledged bytes (the backlog for a listener).</param>
/// <param name="ReceiveQueue">rx_queue: unread bytes (waiting connections for a listener).</param>
public sealed record TcpTableEntry(IPEndPoint Local, IPEndPoint Remote, string State, long SendQueue, long ReceiveQueue);
