namespace Linger.Tests.Support;

/// <summary>
/// A fact that needs root on Linux (raw packet capture, network namespaces); reported as skipped, with the reason,
/// elsewhere. CI runs as root, where nothing may be skipped.
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
            Skip = "Needs root (packet capture); run the tests as root, as CI does.";
        }
    }
}
