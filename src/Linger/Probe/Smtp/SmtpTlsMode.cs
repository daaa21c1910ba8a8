namespace Linger.Probe.Smtp;

/// <summary>How the SMTP probe uses TLS.</summary>
public enum SmtpTlsMode
{
    /// <summary>By port: implicit TLS on 465; STARTTLS when the server offers it on any other port.</summary>
    Auto,

    /// <summary>TLS from the first byte (SMTPS, port 465).</summary>
    Implicit,

    /// <summary>Plain greeting, then STARTTLS; the probe fails when the server does not offer it.</summary>
    StartTls,

    /// <summary>Plain text throughout.</summary>
    None,
}
