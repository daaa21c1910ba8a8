using System.Net;
using System.Net.Sockets;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>Bad input to <c>linger probe ftp</c>: a clear message and exit code 2, before any connection.</summary>
public sealed class FtpProbeUsageTests
{
    [Fact]
    public void A_target_with_a_bad_port_is_a_usage_error()
    {
        var r = FtpProbeRunner.Run("probe", "ftp", "127.0.0.1:99999");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a port", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_named_password_variable_that_is_unset_is_a_usage_error_naming_it()
    {
        var r = FtpProbeRunner.Run("probe", "ftp", "127.0.0.1", "--user", "bob", "--password-env", "LINGER_TEST_SURELY_UNSET_VARIABLE");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("LINGER_TEST_SURELY_UNSET_VARIABLE", r.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("2GB")]
    [InlineData("-1")]
    public void A_size_that_is_not_one_or_too_large_is_a_usage_error(string size)
    {
        var r = FtpProbeRunner.Run("probe", "ftp", "127.0.0.1", "--size", size);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--size", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hold_that_is_not_a_duration_is_a_usage_error_naming_it()
    {
        var r = FtpProbeRunner.Run("probe", "ftp", "127.0.0.1", "--hold", "soon");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--hold 'soon' is not a duration", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stall_without_an_upload_is_a_usage_error()
    {
        var r = FtpProbeRunner.Run("probe", "ftp", "127.0.0.1", "--stall", "5s", "--size", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--stall", r.Stderr, StringComparison.Ordinal);
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
