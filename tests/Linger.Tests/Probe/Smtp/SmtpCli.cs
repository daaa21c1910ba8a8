using Linger.Tests.Support;

namespace Linger.Tests.Probe.Smtp;

/// <summary>Runs <c>linger probe smtp ...</c> in-process, through the same entry point as the executable.</summary>
public static class SmtpCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        var r = LingerRunner.Run(["probe", "smtp", .. args]);
        return new Result(r.ExitCode, r.Stdout, r.Stderr);
    }
}
