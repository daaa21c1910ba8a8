namespace Linger.Wire;

/// <summary>
/// One decoded TCP segment with the IP fields the flow tracker needs. A plain struct: decoding and tracking
/// allocate nothing per packet.
/// </summary>
public struct TcpPacket
{
    /// <summary>Capture time, nanoseconds since the Unix epoch (UTC).</summary>
    public long TimestampNs { get; set; }

    /// <summary>Index of the packet in its capture (0-based), for evidence.</summary>
    public long FrameNumber { get; set; }

    /// <summary>Source address.</summary>
    public IpAddress Source { get; set; }

    /// <summary>Destination address.</summary>
    public IpAddress Destination { get; set; }

    /// <summary>Source port.</summary>
    public ushort SourcePort { get; set; }

    /// <summary>Destination port.</summary>
    public ushort DestinationPort { get; set; }

    /// <summary>Sequence number.</summary>
    public uint Sequence { get; set; }

    /// <summary>Acknowledgment number (meaningful when <see cref="TcpFlags.Ack"/> is set).</summary>
    public uint Acknowledgment { get; set; }

    /// <summary>Flags.</summary>
    public TcpFlags Flags { get; set; }

    /// <summary>The advertised window as carried (not scaled).</summary>
    public ushort Window { get; set; }

    /// <summary>The window-scale shift from a SYN's options, or -1 when the segment carries none.</summary>
    public sbyte WindowScale { get; set; }

    /// <summary>TCP payload bytes in the segment (as declared by the IP length, even when the capture was cut short).</summary>
    public int PayloadLength { get; set; }

    /// <summary>IPv4 TTL or IPv6 hop limit.</summary>
    public byte Ttl { get; set; }

    /// <summary>IPv4 identification field; 0 for IPv6.</summary>
    public ushort IpId { get; set; }

    /// <summary>The IP datagram's length as its header declares it (IPv4 total length; IPv6 40 + payload length).</summary>
    public int IpLength { get; set; }

    /// <summary>Length of the frame on the wire.</summary>
    public int WireLength { get; set; }

    /// <summary>True when the segment has the given flag.</summary>
    public readonly bool Has(TcpFlags flag) => (Flags & flag) == flag;
}
