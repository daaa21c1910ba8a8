using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>Runs <c>linger probe ftp ...</c> in-process, through the same entry point as the executable.</summary>
internal static class FtpProbeRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var r = LingerRunner.Run(args);
        return (r.ExitCode, r.Stdout, r.Stderr);
    }
}
