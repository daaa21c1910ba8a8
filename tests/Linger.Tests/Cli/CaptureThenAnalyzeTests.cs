using System.Net;
using System.Text.Json;
using Linger.Tests.Support;
using Linger.Tests.Wire.Support;

namespace Linger.Tests.Cli;

/// <summary>
/// The "done when", as a user would try it: <c>linger capture -i lo FILTER -w x.pcapng</c> while real
/// conversations end in four different ways on this kernel, then <c>linger analyze x.pcapng</c>. The verdicts must
/// be what happened, and the counts must agree with tshark's on the same file.
/// </summary>
public sealed class CaptureThenAnalyzeTests(CaptureThenAnalyzeTests.Recording recording) : IClassFixture<CaptureThenAnalyzeTests.Recording>
{
    private readonly FailureScenarios _scenarios = recording.Scenarios;
    private readonly string _file = recording.File;
    private readonly LingerRunner.Result? _capture = recording.Capture;
    private readonly LingerRunner.Result? _live = recording.LiveAnalysis;

    /// <summary>One capture of the four scenarios, shared by the tests of this class.</summary>
    public sealed class Recording : IAsyncLifetime, IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("linger-e2e-").FullName;

        public FailureScenarios Scenarios { get; } = new();

        public string File => Path.Combine(_dir, "x.pcapng");

        public LingerRunner.Result? Capture { get; private set; }

        public LingerRunner.Result? LiveAnalysis { get; private set; }

        public async Task InitializeAsync()
        {
            if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
            {
                return;
            }

            var (file, arguments) = LingerRunner.Command("capture", "-i", "lo", "-w", File, "-q", Scenarios.Filter);
            await using var capture = await CaptureProcess.StartAsync(file, arguments, "capturing on");
            (file, arguments) = LingerRunner.Command("capture", "-i", "lo", "--analyze", "--format", "jsonl", Scenarios.Filter);
            await using var live = await CaptureProcess.StartAsync(file, arguments, "capturing on");
            await Scenarios.RunAsync();

            // The kernel hands over a ring block at most 100 ms after its first packet; give it time before stopping.
            await Task.Delay(700);
            Capture = await InterruptAsync(capture);
            LiveAnalysis = await InterruptAsync(live);
        }

        public Task DisposeAsync() => Task.CompletedTask;

        // SIGINT, as Ctrl+C would send.
        private static async Task<LingerRunner.Result> InterruptAsync(CaptureProcess process)
        {
            await process.StopAsync();
            return new LingerRunner.Result(process.ExitCode, process.Stdout, process.Stderr);
        }

        public void Dispose()
        {
            Scenarios.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }

    [RootFact]
    public void Capture_stops_on_Ctrl_C_with_exit_0_and_reports_its_counts()
    {
        Assert.NotNull(_capture);
        Assert.Equal(0, _capture.ExitCode);
        Assert.Contains("packets captured", _capture.Stderr);
        Assert.True(new FileInfo(_file).Length > 0);
    }

    [RootFact]
    public void Capture_with_analyze_prints_the_same_verdicts_live()
    {
        Assert.NotNull(_live);
        Assert.Equal(0, _live.ExitCode);
        var live = _live.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(c => c.GetProperty("client").GetString()!, c => c.GetProperty("verdict").GetString());
        var fromFile = Analyze().ToDictionary(c => c.GetProperty("client").GetString()!, c => c.GetProperty("verdict").GetString());
        Assert.Equal(4, live.Count);
        Assert.Equal(fromFile.OrderBy(p => p.Key), live.OrderBy(p => p.Key));
    }

    [RootFact]
    public async Task Tshark_reads_the_capture_and_sees_the_same_frames_and_conversations()
    {
        var frames = await Tshark.FieldsAsync(_file, null, "frame.number");
        var conversations = await Tshark.TcpConversationsAsync(_file);
        var analysis = Analyze();
        Assert.Equal(4, conversations.Length);
        Assert.Equal(conversations.Length, analysis.Count);
        Assert.Equal(frames.Length, analysis.Sum(a => a.GetProperty("packets").GetInt64()));
    }

    [RootFact]
    public void A_graceful_close_is_closed_SF()
    {
        var c = Find(_scenarios.Graceful);
        Assert.Equal("closed", c.GetProperty("verdict").GetString());
        Assert.Equal("SF", c.GetProperty("conn_state").GetString());
        Assert.Equal(JsonValueKind.Null, c.GetProperty("reset_by").ValueKind);
        Assert.Equal(5, c.GetProperty("bytes_client").GetInt64());
        Assert.Equal(3, c.GetProperty("bytes_server").GetInt64());
    }

    [RootFact]
    public void A_refused_connect_is_refused_REJ_and_the_client_saw_ECONNREFUSED()
    {
        var c = Find(_scenarios.Refused);
        Assert.Equal("refused", c.GetProperty("verdict").GetString());
        Assert.Equal("REJ", c.GetProperty("conn_state").GetString());
        Assert.Equal("errno.ECONNREFUSED", c.GetProperty("likely_errors").GetProperty("client").GetProperty("linux").GetProperty("id").GetString());
    }

    [RootFact]
    public void An_abortive_close_is_a_reset_by_the_client_without_FIN()
    {
        var c = Find(_scenarios.AbortiveClose);
        Assert.Equal("reset", c.GetProperty("verdict").GetString());
        Assert.Equal("client", c.GetProperty("reset_by").GetString());
        Assert.False(c.GetProperty("after_fin").GetBoolean());
        Assert.Equal("errno.ECONNRESET", c.GetProperty("likely_errors").GetProperty("server").GetProperty("linux").GetProperty("id").GetString());
    }

    [RootFact]
    public void A_write_after_the_servers_close_is_a_reset_by_the_server_after_its_FIN_answering_data()
    {
        var c = Find(_scenarios.WriteAfterClose);
        Assert.Equal("reset", c.GetProperty("verdict").GetString());
        Assert.Equal("server", c.GetProperty("reset_by").GetString());
        Assert.True(c.GetProperty("after_fin").GetBoolean());
        Assert.True(c.GetProperty("in_reply_to_data").GetBoolean());

        // What the client program really got on this machine is what the analysis says it most likely got.
        Assert.NotNull(_scenarios.WriteAfterCloseError);
        var linux = c.GetProperty("likely_errors").GetProperty("client").GetProperty("linux");
        Assert.Equal("errno.EPIPE", linux.GetProperty("id").GetString());
        Assert.Equal(32, _scenarios.WriteAfterCloseError.NativeErrorCode);
        Assert.Equal(
            "SocketError." + _scenarios.WriteAfterCloseError.SocketErrorCode,
            c.GetProperty("likely_errors").GetProperty("client").GetProperty("dotnet_linux").GetProperty("name").GetString());
    }

    [RootFact]
    public void The_table_names_each_verdict_and_sums_them_up()
    {
        var r = LingerRunner.Run("analyze", _file);
        Assert.Equal(0, r.ExitCode);
        foreach (var verdict in new[] { "closed", "refused", "reset" })
        {
            Assert.Contains(verdict, r.Stdout);
        }

        Assert.Contains("4 conversations", r.Stdout);
        Assert.Contains("reset by the server after its own FIN", r.Stdout);
    }

    [RootFact]
    public void Only_resets_keeps_the_two_resets()
    {
        var r = LingerRunner.Run("analyze", _file, "--format", "jsonl", "--only", "resets");
        Assert.Equal(2, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [RootFact]
    public void A_filter_on_the_refused_port_keeps_only_that_conversation()
    {
        var r = LingerRunner.Run("analyze", _file, "--format", "jsonl", "--filter", $"port {_scenarios.RefusedPort}");
        var line = Assert.Single(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"refused\"", line);
    }

    [RootFact]
    public void The_zeek_format_is_a_conn_log_with_one_row_per_conversation()
    {
        var r = LingerRunner.Run("analyze", _file, "--format", "zeek");
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fields = Assert.Single(lines, l => l.StartsWith("#fields\t", StringComparison.Ordinal)).Split('\t')[1..];
        Assert.Contains("#path\tconn", lines);
        var rows = lines.Where(l => !l.StartsWith('#')).Select(l => l.Split('\t')).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, row => Assert.Equal(fields.Length, row.Length));
        var state = Array.IndexOf(fields, "conn_state");
        var origPort = Array.IndexOf(fields, "id.orig_p");
        Assert.Contains(rows, row => row[state] == "REJ" && row[origPort] == _scenarios.Refused!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(rows, row => row[state] == "SF");
    }

    private List<JsonElement> Analyze()
    {
        var r = LingerRunner.Run("analyze", _file, "--format", "jsonl");
        Assert.Equal(0, r.ExitCode);
        return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private JsonElement Find(IPEndPoint? client)
    {
        Assert.NotNull(client);
        var key = $"{client.Address}:{client.Port}";
        return Assert.Single(Analyze(), c => c.GetProperty("client").GetString() == key);
    }
}
