using System.Text;

namespace Linger.Wire.Filtering;

/// <summary>The protocols a filter can name.</summary>
internal enum FilterProtocol
{
    /// <summary><c>tcp</c>: TCP over IPv4 or IPv6.</summary>
    Tcp,

    /// <summary><c>ip</c>: IPv4.</summary>
    Ip,

    /// <summary><c>ip6</c>: IPv6.</summary>
    Ip6,
}

/// <summary><c>tcp</c>, <c>ip</c> or <c>ip6</c>.</summary>
internal sealed class ProtocolNode(FilterProtocol protocol) : FilterNode
{
    public FilterProtocol Protocol { get; } = protocol;

    // Only TCP segments reach the managed evaluator, so "tcp" always holds and ip/ip6 test the address family.
    public override bool Matches(in TcpPacket packet) => Protocol switch
    {
        FilterProtocol.Ip => !packet.Source.IsV6,
        FilterProtocol.Ip6 => packet.Source.IsV6,
        _ => true,
    };

    public override void Write(StringBuilder text) => text.Append(Name(Protocol));

    public static string Name(FilterProtocol protocol) => protocol switch
    {
        FilterProtocol.Ip => "ip",
        FilterProtocol.Ip6 => "ip6",
        _ => "tcp",
    };
}

/// <summary><c>[src|dst] host ADDRESS</c>.</summary>
internal sealed class HostNode(EndpointDirection direction, IpAddress address) : FilterNode
{
    public EndpointDirection Direction { get; } = direction;

    public IpAddress Address { get; } = address;

    public IpPrefix AsPrefix => new(Address, Address.IsV6 ? 128 : 32);

    public override bool Matches(in TcpPacket packet) =>
        EndpointDirections.Combine(Direction, packet.Source == Address, packet.Destination == Address);

    public override void Write(StringBuilder text) =>
        text.Append(EndpointDirections.Prefix(Direction)).Append("host ").Append(Address.ToString());
}

/// <summary><c>[src|dst] net NETWORK/LENGTH</c>.</summary>
internal sealed class NetNode(EndpointDirection direction, IpPrefix prefix) : FilterNode
{
    public EndpointDirection Direction { get; } = direction;

    public IpPrefix Prefix { get; } = prefix;

    public override bool Matches(in TcpPacket packet) =>
        EndpointDirections.Combine(Direction, Prefix.Contains(packet.Source), Prefix.Contains(packet.Destination));

    public override void Write(StringBuilder text) =>
        text.Append(EndpointDirections.Prefix(Direction)).Append("net ").Append(Prefix.ToString());
}

/// <summary><c>[src|dst] port N</c> or <c>[src|dst] portrange LOW-HIGH</c> (a port is a range of one).</summary>
internal sealed class PortNode(EndpointDirection direction, ushort low, ushort high) : FilterNode
{
    public EndpointDirection Direction { get; } = direction;

    public ushort Low { get; } = low;

    public ushort High { get; } = high;

    public override bool Matches(in TcpPacket packet) =>
        EndpointDirections.Combine(Direction, InRange(packet.SourcePort), InRange(packet.DestinationPort));

    public override void Write(StringBuilder text)
    {
        text.Append(EndpointDirections.Prefix(Direction));
        if (Low == High)
        {
            text.Append("port ").Append(Low);
        }
        else
        {
            text.Append("portrange ").Append(Low).Append('-').Append(High);
        }
    }

    private bool InRange(ushort port) => port >= Low && port <= High;
}
