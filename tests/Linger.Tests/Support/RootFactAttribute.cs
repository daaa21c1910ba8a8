namespace Linger.Tests.Support;

/// <summary>
/// A fact that needs root on Linux (packet capture on loopback); skipped with the reason elsewhere. As root it always
/// runs, so CI (which runs as root and fails on any skip) exercises it.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Captures loopback traffic on Linux; this machine is not Linux.";
        }
        else if (!Environment.IsPrivilegedProcess)
        {
            Skip = "Captures loopback traffic with tcpdump, which needs root (or CAP_NET_RAW); run the tests as root.";
        }
    }
}
