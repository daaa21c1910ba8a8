namespace Linger.Probe.Ftp;

/// <summary>What <see cref="FtpProbe"/> tries against a server.</summary>
public sealed record FtpProbeOptions
{
    /// <summary>The largest test file the probe will send (1 GiB): enough for any timeout, bounded for memory and time.</summary>
    public const long MaxSize = 1L << 30;

    /// <summary>The size of the test file when none is given (4 MiB: past the point where a middlebox or a slow line
    /// usually breaks a transfer).</summary>
    public const long DefaultSize = 4L << 20;

    /// <summary>The most sessions <see cref="Concurrency"/> may ask for.</summary>
    public const int MaxConcurrency = 256;

    /// <summary>The server, port 21 when none was given.</summary>
    public required ProbeTarget Target { get; init; }

    /// <summary>The user to log in as; null logs in anonymously.</summary>
    public string? User { get; init; }

    /// <summary>The password of <see cref="User"/>; registered as a secret, so it never reaches any output.</summary>
    public string? Password { get; init; }

    /// <summary>Also tries active mode (PORT, EPRT): the server connects back to the probe.</summary>
    public bool Active { get; init; }

    /// <summary>The size of the file uploaded and downloaded, in bytes; 0 skips the transfers.</summary>
    public long Size { get; init; } = DefaultSize;

    /// <summary>Sessions opened at once to find the server's limit; 1 skips that stage.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Explicit FTPS: AUTH TLS before login, data connections in TLS too.</summary>
    public bool Tls { get; init; }

    /// <summary>
    /// Keeps the logged-in control connection idle this long before the data stages and reports whether and how the
    /// server ended it (an idle timeout: 421, FIN or RST); null (the default) skips the hold.
    /// </summary>
    public TimeSpan? Hold { get; init; }

    /// <summary>
    /// Pauses the upload halfway this long, watching the control connection, and reports whether the server's data
    /// timeout ended the transfer (vsftpd's data_connection_timeout); null (the default) uploads without a pause.
    /// </summary>
    public TimeSpan? Stall { get; init; }

    /// <summary>Proceeds when the certificate is not trusted (the problem is still reported).</summary>
    public bool Insecure { get; init; }

    /// <summary>How long each exchange may take; a data transfer may take this long without progress.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
