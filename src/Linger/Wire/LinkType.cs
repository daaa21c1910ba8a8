namespace Linger.Wire;

/// <summary>Link-layer header types, with the LINKTYPE_ values used in pcap and pcapng files (tcpdump.org link-layer header types).</summary>
public enum LinkType : ushort
{
    /// <summary>BSD loopback: a 4-byte address family in the capturing host's byte order.</summary>
    Null = 0,

    /// <summary>Ethernet II (with 802.1Q / 802.1ad tags).</summary>
    Ethernet = 1,

    /// <summary>Raw IP: IPv4 or IPv6 by the version nibble.</summary>
    Raw = 101,

    /// <summary>OpenBSD loopback: a 4-byte address family in network byte order.</summary>
    Loop = 108,

    /// <summary>Linux "cooked" capture, version 1 (16-byte header).</summary>
    LinuxSll = 113,

    /// <summary>Raw IPv4.</summary>
    IPv4 = 228,

    /// <summary>Raw IPv6.</summary>
    IPv6 = 229,

    /// <summary>Linux "cooked" capture, version 2 (20-byte header).</summary>
    LinuxSll2 = 276,
}
