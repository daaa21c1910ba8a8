namespace Linger.Wire.Live;

/// <summary>The process may not open a packet socket: it needs root or the CAP_NET_RAW capability.</summary>
public sealed class CapturePermissionException : Exception
{
    /// <summary>What a user reads: what is missing and the two ways to get it.</summary>
    public const string Explanation =
        "live capture needs root or the CAP_NET_RAW capability: run with sudo, or grant it with "
        + "`sudo setcap cap_net_raw+ep \"$(readlink -f \"$(which dotnet)\")\"` (every .NET program started by that "
        + "dotnet then has it; `sudo setcap -r` on the same file takes it back). "
        + "Or capture with tcpdump and run `linger analyze` on the file.";

    /// <summary>Creates the exception with <see cref="Explanation"/>.</summary>
    public CapturePermissionException()
        : base(Explanation)
    {
    }

    /// <summary>Creates the exception with <see cref="Explanation"/> and the kernel's refusal as the inner exception.</summary>
    public CapturePermissionException(Exception innerException)
        : base(Explanation, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CapturePermissionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CapturePermissionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
