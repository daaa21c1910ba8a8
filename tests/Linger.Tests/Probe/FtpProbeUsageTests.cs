using System.Net;
using System.Net.Sockets;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>Bad input to <c>linger probe ftp</c>: a clear message and exit code 2, before any connection.</summary>
public sealed class FtpProbeUsageTests
{
    [Fact]
    public void A_target_with_a_bad_port_is_a_usage_error() =>
        AssertUsageError("not a port", "127.0.0.1:99999");

    [Fact]
    public void A_named_password_variable_that_is_unset_is_a_usage_error_naming_it() =>
        AssertUsageError("LINGER_TEST_SURELY_UNSET_VARIABLE", "127.0.0.1", "--user", "bob", "--password-env", "LINGER_TEST_SURELY_UNSET_VARIABLE");

    [Theory]
    [InlineData("lots")]
    [InlineData("2GB")]
    [InlineData("-1")]
    public void A_size_that_is_not_one_or_too_large_is_a_usage_error(string size) =>
        AssertUsageError("--size", "127.0.0.1", "--size", size);

    [Fact]
    public void A_hold_that_is_not_a_duration_is_a_usage_error_naming_it() =>
        AssertUsageError("--hold 'soon' is not a duration", "127.0.0.1", "--hold", "soon");

    [Theory]
    [InlineData("--hold", "100000h")]
    [InlineData("--stall", "25h")]
    [InlineData("--timeout", "1000000")]
    public void A_duration_longer_than_a_probe_waits_is_a_usage_error_naming_the_limit(string option, string value) =>
        AssertUsageError($"{option} '{value}' is longer than a probe waits; give at most 24h.", "127.0.0.1:1", option, value);

    [Fact]
    public void A_stall_without_an_upload_is_a_usage_error() =>
        AssertUsageError("--stall pauses the upload, and --size 0 skips it", "127.0.0.1", "--stall", "5s", "--size", "0");

    /// <summary><c>linger probe ftp ARGS</c> exits with 2 and says <paramref name="expected"/> on standard error.</summary>
    private static void AssertUsageError(string expected, params string[] args)
    {
        var r = FtpProbeRunner.Run(["probe", "ftp", .. args]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void A_closed_control_port_fails_at_connect_with_nothing_listening()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var r = FtpProbeRunner.Run("probe", "ftp", $"127.0.0.1:{port}", "--timeout", "3s");
        Assert.Equal(Linger.Probe.ProbeExitCodes.All["connect"], r.ExitCode);
        Assert.Contains("Verdict: failed at connect", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("ECONNREFUSED", r.Stdout, StringComparison.Ordinal);
    }
}
