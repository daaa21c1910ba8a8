namespace Linger.Tests.Support;

/// <summary>A fact about Linux kernel or libc behaviour; reported as skipped (with the reason) on other systems.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Measures Linux behaviour; this machine is not Linux.";
        }
    }
}
