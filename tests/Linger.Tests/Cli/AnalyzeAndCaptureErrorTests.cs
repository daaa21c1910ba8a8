using Linger.Tests.Support;

namespace Linger.Tests.Cli;

/// <summary>Bad input to analyze and capture: a clear message, a documented exit code, never a stack trace or a hang.</summary>
public sealed class AnalyzeAndCaptureErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linger-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_missing_file_exits_3_and_says_so()
    {
        var r = LingerRunner.Run("analyze", Path.Combine(_dir, "nope.pcap"));
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("no such file", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void A_file_that_is_not_a_capture_exits_3_naming_the_offset()
    {
        var path = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(path, "these are not packets\n");
        var r = LingerRunner.Run("analyze", path);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("offset 0", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void A_bad_filter_is_a_usage_error_with_the_column()
    {
        var path = Path.Combine(_dir, "empty.pcap");
        File.WriteAllBytes(path, [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0, 0]);
        var r = LingerRunner.Run("analyze", path, "--filter", "port banana");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("column", r.Stderr);
    }

    [Fact]
    public void An_empty_but_valid_capture_has_no_conversations_and_exits_0()
    {
        var path = Path.Combine(_dir, "empty.pcap");
        File.WriteAllBytes(path, [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0, 0]);
        var r = LingerRunner.Run("analyze", path, "--format", "jsonl");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Empty, r.Stdout.Trim());
    }

    [Fact]
    public void An_unknown_format_is_a_usage_error()
    {
        var r = LingerRunner.Run("analyze", "x.pcap", "--format", "xml");
        Assert.Equal(2, r.ExitCode);
    }

    [Theory]
    [InlineData("--duration", "soon")]
    [InlineData("--count", "0")]
    [InlineData("--snaplen", "10")]
    public void Capture_options_out_of_range_are_usage_errors(string option, string value)
    {
        var r = LingerRunner.Run("capture", "-i", "lo", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.NotEmpty(r.Stderr);
    }

    [RootFact]
    public void Capture_on_an_interface_that_does_not_exist_exits_3_listing_the_real_ones()
    {
        var r = LingerRunner.Run("capture", "-i", "nosuch0", "--count", "1");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("lo", r.Stderr);
    }

    [RootFact]
    public async Task Capture_without_privilege_exits_4_saying_what_is_needed()
    {
        // A real unprivileged process: the same command as user nobody, with no capabilities.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var home = Directory.CreateTempSubdirectory("linger-nobody-").FullName;
        File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        try
        {
            var (file, arguments) = LingerRunner.Command("capture", "-i", "lo", "--count", "1");
            var r = await Wire.Support.ExternalTool.RunAsync(
                "setpriv",
                ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "env", $"HOME={home}", "DOTNET_CLI_HOME=" + home, file, .. arguments],
                TimeSpan.FromSeconds(60));
            Assert.Equal(4, r.ExitCode);
            Assert.Contains("CAP_NET_RAW", r.Stderr);
            Assert.DoesNotContain("   at ", r.Stderr);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [RootFact]
    public void Capture_with_a_duration_stops_by_itself()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var r = LingerRunner.Run("capture", "-i", "lo", "--duration", "300ms", "port", "9");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("0 packets captured", r.Stderr);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), "the capture did not stop by itself");
    }
}
