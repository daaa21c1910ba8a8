namespace Linger.Probe.Smtp;

/// <summary>What <see cref="SmtpProbe"/> probes and how.</summary>
public sealed record SmtpProbeOptions
{
    /// <summary>The server and port.</summary>
    public required ProbeTarget Target { get; init; }

    /// <summary>The time limit of each stage.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Go on when the server's certificate is not trusted (the problem is still reported).</summary>
    public bool Insecure { get; init; }

    /// <summary>The name the probe gives in EHLO.</summary>
    public string EhloName { get; init; } = "localhost";

    /// <summary>Implicit TLS, STARTTLS, none, or by port.</summary>
    public SmtpTlsMode Tls { get; init; } = SmtpTlsMode.Auto;

    /// <summary>The user to log in as (AUTH PLAIN or LOGIN); null skips the auth stage.</summary>
    public string? User { get; init; }

    /// <summary>The password of <see cref="User"/>; it is registered as a secret and never appears in the output.</summary>
    public string? Password { get; init; }

    /// <summary>Send a real test message from <see cref="From"/> to <see cref="To"/>.</summary>
    public bool Send { get; init; }

    /// <summary>The envelope and header sender of the test message.</summary>
    public string? From { get; init; }

    /// <summary>The envelope and header recipient of the test message.</summary>
    public string? To { get; init; }

    /// <summary>The mode actually used: <see cref="SmtpTlsMode.Auto"/> becomes implicit TLS on port 465.</summary>
    public SmtpTlsMode EffectiveTls => Tls == SmtpTlsMode.Auto && Target.Port == 465 ? SmtpTlsMode.Implicit : Tls;
}
