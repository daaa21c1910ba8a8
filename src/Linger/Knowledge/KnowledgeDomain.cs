namespace Linger.Knowledge;

/// <summary>Where a code or message comes from: the table it belongs to.</summary>
public enum KnowledgeDomain
{
    /// <summary>Windows Sockets error codes (10004–10112, 11001–11033).</summary>
    WinSock,

    /// <summary>Win32 codes that Windows Sockets reuses for overlapped I/O (6, 8, 87, 995, 996, 997).</summary>
    Overlapped,

    /// <summary>POSIX errno values, with Linux and macOS numbers.</summary>
    Errno,

    /// <summary>Members of .NET's <c>System.Net.Sockets.SocketError</c>.</summary>
    DotNet,

    /// <summary>Outlook / Windows Mail / Outlook Express HRESULTs (0x800CCCxx, 0x8004210x).</summary>
    Outlook,

    /// <summary>FTP reply codes (RFC 959, 2228, 2428).</summary>
    Ftp,

    /// <summary>SMTP reply codes (RFC 5321 and extensions).</summary>
    Smtp,

    /// <summary>SMTP enhanced status codes (RFC 3463).</summary>
    SmtpEnhanced,

    /// <summary>curl exit codes.</summary>
    Curl,

    /// <summary>Texts that programs and runtimes print (Java, Python, Go, FileZilla, OpenSSL, Node.js, .NET).</summary>
    Program,
}

/// <summary>Conversions between <see cref="KnowledgeDomain"/> and the names used in data files and JSON output.</summary>
public static class KnowledgeDomains
{
    /// <summary>The name used in data files and JSON output (<c>winsock</c>, <c>smtp-enhanced</c>, ...).</summary>
    public static string ToWireName(this KnowledgeDomain domain) => domain switch
    {
        KnowledgeDomain.WinSock => "winsock",
        KnowledgeDomain.Overlapped => "overlapped",
        KnowledgeDomain.Errno => "errno",
        KnowledgeDomain.DotNet => "dotnet",
        KnowledgeDomain.Outlook => "outlook",
        KnowledgeDomain.Ftp => "ftp",
        KnowledgeDomain.Smtp => "smtp",
        KnowledgeDomain.SmtpEnhanced => "smtp-enhanced",
        KnowledgeDomain.Curl => "curl",
        KnowledgeDomain.Program => "program",
        _ => throw new ArgumentOutOfRangeException(nameof(domain)),
    };

    /// <summary>Parses a data-file domain name; returns false for an unknown one.</summary>
    public static bool TryParse(string? name, out KnowledgeDomain domain)
    {
        foreach (var d in Enum.GetValues<KnowledgeDomain>())
        {
            if (string.Equals(d.ToWireName(), name, StringComparison.OrdinalIgnoreCase))
            {
                domain = d;
                return true;
            }
        }

        domain = default;
        return false;
    }
}
