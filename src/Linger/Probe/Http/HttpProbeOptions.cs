namespace Linger.Probe.Http;

/// <summary>What <see cref="HttpProbe"/> requests, and how long it waits.</summary>
public sealed record HttpProbeOptions
{
    /// <summary>The URL to request.</summary>
    public required HttpTarget Target { get; init; }

    /// <summary>Send a POST with a body of this many bytes instead of a GET; null (the default) sends a GET.</summary>
    public long? BodyBytes { get; init; }

    /// <summary>Go on when the server's certificate is not trusted (the problem is still reported). Default false.</summary>
    public bool Insecure { get; init; }

    /// <summary>How long resolving, connecting and the TLS handshake may each take. Default 10 s.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long sending the request (with its body) and reading the response may each take. Default 60 s.</summary>
    public TimeSpan TransferTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
