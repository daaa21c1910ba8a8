namespace Linger.Probe.Tcp;

/// <summary>What <see cref="TcpProbe"/> does, beyond resolving and connecting to every address.</summary>
public sealed record TcpProbeOptions
{
    /// <summary>The host and port to probe.</summary>
    public required ProbeTarget Target { get; init; }

    /// <summary>How long one connect may take before it counts as timed out. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for the server to speak first (a banner). Default 2 s.</summary>
    public TimeSpan BannerWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Keep the connection idle this long and report how it ended; null (the default) skips the hold.</summary>
    public TimeSpan? Hold { get; init; }

    /// <summary>Open this many connections at once and report where failures start; 0 (the default) skips it.</summary>
    public int Concurrency { get; init; }

    /// <summary>
    /// Capture the probe's own packets on the route's interface and report the analyser's verdict per connection
    /// (Linux, root or CAP_NET_RAW). Default false.
    /// </summary>
    public bool Capture { get; init; }
}
