namespace Linger.Wire.Decoding;

/// <summary>
/// What the decoder made of the frames it was given. Every frame lands in exactly one bucket besides
/// <see cref="Frames"/>, so the buckets add up to <see cref="Frames"/>.
/// </summary>
public struct DecodeStats
{
    /// <summary>Frames given to the decoder.</summary>
    public long Frames { get; set; }

    /// <summary>TCP segments decoded.</summary>
    public long Tcp { get; set; }

    /// <summary>Frames whose link layer carries something other than IPv4 or IPv6 (ARP, LLDP, ...).</summary>
    public long NonIp { get; set; }

    /// <summary>IP packets that are not TCP (UDP, ICMP, ESP, ...).</summary>
    public long NonTcp { get; set; }

    /// <summary>IPv4 fragments and IPv6 packets with a fragment header: counted, not reassembled.</summary>
    public long Fragments { get; set; }

    /// <summary>Frames the capture cut short before the end of their link, IP or TCP header (a small snap length).</summary>
    public long TruncatedHeaders { get; set; }

    /// <summary>Frames whose headers contradict themselves (an IPv4 header length below 20, a wrong IP version, ...).</summary>
    public long Malformed { get; set; }

    /// <summary>Frames of a link type the decoder does not know.</summary>
    public long UnsupportedLinkType { get; set; }

    /// <summary>Adds another run's counts to these.</summary>
    public void Add(in DecodeStats other)
    {
        Frames += other.Frames;
        Tcp += other.Tcp;
        NonIp += other.NonIp;
        NonTcp += other.NonTcp;
        Fragments += other.Fragments;
        TruncatedHeaders += other.TruncatedHeaders;
        Malformed += other.Malformed;
        UnsupportedLinkType += other.UnsupportedLinkType;
    }

    /// <inheritdoc/>
    public override readonly string ToString() =>
        $"{Frames} frames: {Tcp} TCP, {NonIp} not IP, {NonTcp} IP but not TCP, {Fragments} fragments, " +
        $"{TruncatedHeaders} with truncated headers, {Malformed} malformed, {UnsupportedLinkType} of unsupported link types";
}
