namespace Linger.Wire;

/// <summary>The TCP header's flag bits (RFC 9293, RFC 3168).</summary>
[Flags]
#pragma warning disable CA1711 // "Flags" is the protocol's own word.
public enum TcpFlags : byte
#pragma warning restore CA1711
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>FIN: the sender has no more data.</summary>
    Fin = 0x01,

    /// <summary>SYN: synchronise sequence numbers.</summary>
    Syn = 0x02,

    /// <summary>RST: reset the connection.</summary>
    Rst = 0x04,

    /// <summary>PSH: push.</summary>
    Psh = 0x08,

    /// <summary>ACK: the acknowledgment field is significant.</summary>
    Ack = 0x10,

    /// <summary>URG: the urgent pointer is significant.</summary>
    Urg = 0x20,

    /// <summary>ECE: ECN echo.</summary>
    Ece = 0x40,

    /// <summary>CWR: congestion window reduced.</summary>
    Cwr = 0x80,
}
