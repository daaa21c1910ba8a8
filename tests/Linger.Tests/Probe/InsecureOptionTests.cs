using Linger.Cli;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>Every probe that speaks TLS takes curl's short form, -k, for --insecure.</summary>
public sealed class InsecureOptionTests
{
    [Theory]
    [InlineData("smtp", "127.0.0.1:1")]
    [InlineData("ftp", "127.0.0.1:1")]
    [InlineData("http", "https://127.0.0.1:1/")]
    public void Minus_k_is_taken_and_the_probe_runs_to_its_connect(string probe, string target)
    {
        var r = LingerRunner.Run("probe", probe, target, "-k", "--timeout", "2s");

        Assert.NotEqual(ExitCodes.Usage, r.ExitCode);
        Assert.Equal(11, r.ExitCode); // nothing listens on port 1: the connect stage fails
    }
}
