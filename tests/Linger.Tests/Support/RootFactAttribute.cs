namespace Linger.Tests.Support;

/// <summary>
/// A fact that needs root on Linux (packet sockets, namespaces). Reported as skipped, with the reason, elsewhere;
/// never skipped when run as root on Linux, which is how CI runs.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux; this machine is not Linux.";
        }
        else if (!Environment.IsPrivilegedProcess)
        {
            Skip = "Needs root (run the tests with sudo, as CI does).";
        }
    }
}
