using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Linger.Tests.Support;

namespace Linger.Tests.Lab;

/// <summary>
/// The hidden <c>linger lab-agent</c> process, spoken to over its line protocol exactly as the lab does: one command
/// per line on stdin, one answer line per command on stdout, against real sockets.
/// </summary>
public sealed class LabAgentTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [LinuxFact]
    public async Task It_says_ready_with_its_own_process_id()
    {
        using var agent = AgentProcess.Start();

        var ready = await agent.ReadLineAsync();

        Assert.Equal($"ready pid={agent.Process.Id.ToString(CultureInfo.InvariantCulture)}", ready);
    }

    [LinuxFact]
    public async Task It_accepts_a_real_connection_and_reports_the_bytes_it_reads()
    {
        using var agent = AgentProcess.Start();
        await agent.ReadLineAsync();
        var port = FreePort();
        Assert.Equal("ok", await agent.AskAsync($"listen 127.0.0.1 {port}"));
        var accepting = agent.AskAsync("accept 5000");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(Deadline);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);

        Assert.Equal($"ok conn=1 peer={client.LocalEndPoint}", await accepting);
        await client.SendAsync("hello"u8.ToArray(), SocketFlags.None, cts.Token);
        Assert.StartsWith("ok bytes=5 ", await agent.AskAsync("read 1 64 2000"), StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_write_sends_the_bytes_a_real_client_then_receives()
    {
        using var agent = AgentProcess.Start();
        await agent.ReadLineAsync();
        var port = FreePort();
        await agent.AskAsync($"listen 127.0.0.1 {port}");
        var accepting = agent.AskAsync("accept 5000");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(Deadline);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        await accepting;

        Assert.Equal("ok bytes=5", await agent.AskAsync("write 1 5"));
        var buffer = new byte[16];
        var n = await client.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        Assert.Equal("xxxxx", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
    }

    [LinuxFact]
    public async Task A_read_on_a_reset_connection_answers_with_the_socket_error_and_the_errno()
    {
        using var agent = AgentProcess.Start();
        await agent.ReadLineAsync();
        var port = FreePort();
        await agent.AskAsync($"listen 127.0.0.1 {port}");
        var accepting = agent.AskAsync("accept 5000");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(Deadline);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        await accepting;

        client.LingerState = new LingerOption(true, 0);
        client.Close();

        var answer = await agent.AskAsync("read 1 64 2000");
        Assert.StartsWith($"error socket_error=ConnectionReset errno={Errno("ECONNRESET")} ", answer, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_read_with_nothing_to_read_times_out_after_the_given_milliseconds()
    {
        using var agent = AgentProcess.Start();
        await agent.ReadLineAsync();
        var port = FreePort();
        await agent.AskAsync($"listen 127.0.0.1 {port}");
        var accepting = agent.AskAsync("accept 5000");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(Deadline);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        await accepting;

        Assert.Equal("timeout ms=100", await agent.AskAsync("read 1 64 100"));
    }

    [LinuxFact]
    public async Task An_unknown_command_gets_a_bad_answer_and_the_agent_keeps_serving()
    {
        using var agent = AgentProcess.Start();
        await agent.ReadLineAsync();

        Assert.StartsWith("bad message=unknown command 'dance'", await agent.AskAsync("dance"), StringComparison.Ordinal);
        Assert.StartsWith("bad message=usage: read", await agent.AskAsync("read 7 64"), StringComparison.Ordinal);
        Assert.Equal("ok", await agent.AskAsync($"listen 127.0.0.1 {FreePort()}"));
    }

    [LinuxFact]
    public async Task The_end_of_its_input_ends_the_agent_with_exit_code_0()
    {
        using var agent = AgentProcess.Start();
        await agent.ReadLineAsync();

        agent.Process.StandardInput.Close();

        using var cts = new CancellationTokenSource(Deadline);
        await agent.Process.WaitForExitAsync(cts.Token);
        Assert.Equal(0, agent.Process.ExitCode);
    }

    [Fact]
    public void It_is_hidden_from_the_help()
    {
        var help = LingerRunner.Run("--help");

        Assert.Contains("lab", help.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("lab-agent", help.Stdout, StringComparison.Ordinal);
    }

    private static int Errno(string name) => Enumerable.Range(1, 200).First(n => Libc.ErrnoName(n) == name);

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>A running agent; killed when disposed.</summary>
    private sealed class AgentProcess : IDisposable
    {
        private AgentProcess(Process process) => Process = process;

        public Process Process { get; }

        public static AgentProcess Start()
        {
            var start = LoopbackScenarioRun.AgentStart();
            start.RedirectStandardInput = true;
            start.RedirectStandardOutput = true;
            start.UseShellExecute = false;
            return new AgentProcess(Process.Start(start) ?? throw new InvalidOperationException("the agent did not start"));
        }

        public async Task<string?> ReadLineAsync()
        {
            using var cts = new CancellationTokenSource(Deadline);
            return await Process.StandardOutput.ReadLineAsync(cts.Token);
        }

        public async Task<string?> AskAsync(string command)
        {
            await Process.StandardInput.WriteLineAsync(command);
            await Process.StandardInput.FlushAsync();
            return await ReadLineAsync();
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
                Process.WaitForExit(TimeSpan.FromSeconds(5));
            }

            Process.Dispose();
        }
    }
}
