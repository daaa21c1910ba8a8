using System.Net;
using System.Net.Sockets;
using System.Text;
using Linger.Probe;
using Linger.Probe.Ftp;

namespace Linger.Tests.Probe;

/// <summary>
/// Replies that end the session (421), met by a scripted server: one that came in the same segment as the reply
/// before it is already in the probe's buffer, not in the socket, and the hold must see it at once; one that answers
/// a command ends the session there, so the probe asks nothing more (RFC 959: 421 may answer any command).
/// </summary>
public sealed class FtpBufferedReplyTests
{
    [Fact]
    public async Task A_421_sent_together_with_the_last_login_reply_ends_the_hold_at_once()
    {
        // One write: the last reply of the login and, straight after it, the end of the session. Then silence, the
        // connection left open, until the probe goes.
        await using var server = ScriptedFtpServer.Start(lastLoginReply: "200 binary\r\n421 Timeout.\r\n", _ => null);

        var report = await ProbeAsync(server.Port, hold: TimeSpan.FromSeconds(20));

        var hold = Assert.Single(report.Stages, s => s.Name == "hold");
        Assert.False(hold.Ok, FtpProbeRunner.Transcript(report));
        Assert.True(hold.Ms < 10_000, $"the hold took {hold.Ms} ms: it waited on the socket for a reply already read");
        var finding = Assert.Single(report.Findings, f => f.Id == "ftp-idle-timeout");
        Assert.Contains("\"421 Timeout.\"", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_421_in_reply_to_a_command_ends_the_session_there()
    {
        await using var server = ScriptedFtpServer.Start(lastLoginReply: "200 binary\r\n", command => command == "PASV" ? "421 Service shutting down." : null);

        var report = await ProbeAsync(server.Port, hold: null);

        var pasv = Assert.Single(report.Stages, s => s.Name == "pasv");
        Assert.False(pasv.Ok);
        Assert.Equal(["PASV"], server.CommandsAfterLogin);
        Assert.DoesNotContain(report.Transcript, t => t.Text is "EPSV" or "QUIT");
    }

    private static async Task<ProbeReport> ProbeAsync(int port, TimeSpan? hold)
    {
        var options = new FtpProbeOptions
        {
            Target = ProbeTarget.Parse($"127.0.0.1:{port}", 21),
            User = "user",
            Password = "secret",
            Timeout = TimeSpan.FromSeconds(2),
            Hold = hold,
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await new FtpProbe(options).RunAsync(new ProbeSession("ftp", options.Target.ToString()), cts.Token);
    }

    /// <summary>
    /// One session: a banner, the login the probe does (USER, PASS, SYST, FEAT, TYPE I, the last answered with
    /// <c>lastLoginReply</c>), then each command answered by the script (null: no answer) until the probe closes.
    /// </summary>
    private sealed class ScriptedFtpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
        private Task _session = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public List<string> CommandsAfterLogin { get; } = [];

        public static ScriptedFtpServer Start(string lastLoginReply, Func<string, string?> script)
        {
            var server = new ScriptedFtpServer();
            server._listener.Start();
            server._session = Task.Run(() => server.ServeAsync(lastLoginReply, script));
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _session;
            }
            catch (OperationCanceledException)
            {
            }

            _listener.Dispose();
            _stop.Dispose();
        }

        private async Task ServeAsync(string lastLoginReply, Func<string, string?> script)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            await SendAsync(stream, "220 scripted\r\n");
            foreach (var reply in (string[])["331 password please\r\n", "230 logged in\r\n", "215 UNIX Type: L8\r\n", "211 no features\r\n", lastLoginReply])
            {
                await reader.ReadLineAsync(_stop.Token);
                await SendAsync(stream, reply);
            }

            while (await reader.ReadLineAsync(_stop.Token) is { } command)
            {
                CommandsAfterLogin.Add(command);
                if (script(command) is { } reply)
                {
                    await SendAsync(stream, reply + "\r\n");
                }
            }
        }

        private Task SendAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token).AsTask();
    }
}
