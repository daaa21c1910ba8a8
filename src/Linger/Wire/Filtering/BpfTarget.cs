namespace Linger.Wire.Filtering;

/// <summary>
/// Where a compiled program will run, which fixes where it finds each header.
/// </summary>
/// <remarks>
/// There is one layout: a Linux AF_PACKET <c>SOCK_DGRAM</c> socket. There the kernel runs the filter on the packet
/// from its network header, whatever the interface's link layer (Ethernet, loopback, tunnels, the "any"
/// pseudo-device), and the program learns the network protocol from the ancillary load
/// <c>SKF_AD_OFF + SKF_AD_PROTOCOL</c>. A <c>SOCK_RAW</c> socket would need a different program per link type and
/// could not serve "any". IPv4 headers of any length are handled; IPv6 extension headers are not walked in the
/// kernel (a segment behind one does not match port tests there), exactly like tcpdump's own filters.
/// </remarks>
public sealed record BpfTarget
{
    /// <summary>An AF_PACKET SOCK_DGRAM socket, keeping up to 262144 bytes of each packet.</summary>
    public static BpfTarget PacketSocket { get; } = new();

    /// <summary>Bytes of each accepted packet (from the network header) the kernel keeps. Default 262144, tcpdump's default.</summary>
    public int SnapLength { get; init; } = 262144;

    /// <summary>
    /// Index of a loopback interface whose outgoing copies are dropped in the kernel, or 0 for none. On loopback the
    /// kernel shows every packet twice, leaving and arriving; tcpdump keeps only the arrival, and so does Linger.
    /// </summary>
    public int DropOutgoingOnInterface { get; init; }
}
