namespace Linger.Wire.Filtering;

/// <summary>Which end of a packet a host, net or port primitive looks at (tcpdump's "dir" qualifier).</summary>
internal enum EndpointDirection
{
    /// <summary>No qualifier, or <c>src or dst</c>: the source or the destination.</summary>
    Either,

    /// <summary><c>src and dst</c>: both the source and the destination.</summary>
    Both,

    /// <summary><c>src</c>.</summary>
    Source,

    /// <summary><c>dst</c>.</summary>
    Destination,
}

/// <summary>Text and evaluation shared by the endpoint primitives.</summary>
internal static class EndpointDirections
{
    public static string Prefix(EndpointDirection direction) => direction switch
    {
        EndpointDirection.Source => "src ",
        EndpointDirection.Destination => "dst ",
        EndpointDirection.Both => "src and dst ",
        _ => string.Empty,
    };

    public static bool Combine(EndpointDirection direction, bool source, bool destination) => direction switch
    {
        EndpointDirection.Source => source,
        EndpointDirection.Destination => destination,
        EndpointDirection.Both => source && destination,
        _ => source || destination,
    };
}
