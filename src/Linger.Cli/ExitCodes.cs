namespace Linger.Cli;

/// <summary>The exit codes of the <c>linger</c> command, documented in README.md.</summary>
internal static class ExitCodes
{
    /// <summary>Success: the input was found / the work was done.</summary>
    public const int Ok = 0;

    /// <summary>Nothing matched (explain): the input is not in the knowledge base; suggestions were printed.</summary>
    public const int NotFound = 1;

    /// <summary>Usage error: unknown command or option, a missing or invalid argument.</summary>
    public const int Usage = 2;

    /// <summary>Input error: a capture file is missing, unreadable or malformed (the message names the offset), an interface does not exist.</summary>
    public const int Input = 3;

    /// <summary>Permission: live capture needs root or CAP_NET_RAW.</summary>
    public const int Permission = 4;

    /// <summary>A lab scenario failed: one of its own checks, a timeout, or the analyser's verdict disagreed.</summary>
    public const int Failed = 5;

    /// <summary>Internal error: a bug in linger. The message says what failed; please report it.</summary>
    public const int Internal = 70;
}
