using System.Text.Json;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>Runs <c>linger probe tcp|http ...</c> in-process, through the same entry point as the executable.</summary>
internal static class TcpProbeRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
    }

    public static Result Run(params string[] args)
    {
        var r = LingerRunner.Run(["probe", .. args]);
        return new Result(r.ExitCode, r.Stdout, r.Stderr);
    }
}
