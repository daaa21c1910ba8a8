using System.Globalization;
using Linger.Cli;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>Every probe that speaks TLS takes curl's short form, -k, for --insecure.</summary>
public sealed class InsecureOptionTests
{
    [Theory]
    [InlineData("smtp", "127.0.0.1:{0}")]
    [InlineData("ftp", "127.0.0.1:{0}")]
    [InlineData("http", "https://127.0.0.1:{0}/")]
    public void Minus_k_is_taken_and_the_probe_runs_to_its_connect(string probe, string target)
    {
        // A port bound but not listening: the connect is refused whatever else runs on this machine.
        using var closed = TcpTestServer.ReserveClosedPort(out var port);

        var r = LingerRunner.Run("probe", probe, string.Format(CultureInfo.InvariantCulture, target, port), "-k", "--timeout", "2s");

        Assert.NotEqual(ExitCodes.Usage, r.ExitCode);
        Assert.Equal(11, r.ExitCode); // the connect stage fails
    }
}
