using Linger.Probe;

namespace Linger.Tests.Probe;

/// <summary>
/// Replies that end the session (421), met by a scripted server: one that came in the same segment as the reply
/// before it is already in the probe's buffer, not in the socket, and the hold must see it at once; one that answers
/// a command ends the session there, so the probe asks nothing more (RFC 959: 421 may answer any command).
/// </summary>
public sealed class FtpBufferedReplyTests
{
    // The login the probe does: USER, PASS, SYST, FEAT, TYPE I.
    private const int LoginCommands = 5;

    [Fact]
    public async Task A_421_sent_together_with_the_last_login_reply_ends_the_hold_at_once()
    {
        // One write: the last reply of the login and, straight after it, the end of the session. Then silence, the
        // connection left open, until the probe goes.
        using var server = Start(lastLoginReply: "200 binary\n421 Timeout.\n", _ => null);

        var report = await ProbeAsync(server, hold: TimeSpan.FromSeconds(20));

        var hold = Assert.Single(report.Stages, s => s.Name == "hold");
        Assert.False(hold.Ok, FtpProbeRunner.Transcript(report));
        Assert.True(hold.Ms < 10_000, $"the hold took {hold.Ms} ms: it waited on the socket for a reply already read");
        var finding = Assert.Single(report.Findings, f => f.Id == "ftp-idle-timeout");
        Assert.Contains("\"421 Timeout.\"", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_421_in_reply_to_a_command_ends_the_session_there()
    {
        using var server = Start(lastLoginReply: "200 binary\n", command => command == "PASV" ? "421 Service shutting down." : null);

        var report = await ProbeAsync(server, hold: null);

        var pasv = Assert.Single(report.Stages, s => s.Name == "pasv");
        Assert.False(pasv.Ok);
        lock (server.Received)
        {
            Assert.Equal(["PASV"], server.Received.Skip(LoginCommands));
        }

        Assert.DoesNotContain(report.Transcript, t => t.Text is "EPSV" or "QUIT");
        Assert.Contains(report.Transcript, t => t.Text.Contains("not run; the control connection is closed", StringComparison.Ordinal));
    }

    private static Task<ProbeReport> ProbeAsync(ScriptedLineServer server, TimeSpan? hold) =>
        FtpProbeRunner.ProbeAsync($"127.0.0.1:{server.Port}", "user", "secret", TimeSpan.FromSeconds(60), o => o with { Timeout = TimeSpan.FromSeconds(2), Hold = hold });

    /// <summary>
    /// A session: a banner, the probe's login (the last command answered with <paramref name="lastLoginReply"/>), then
    /// each command answered by <paramref name="script"/> (null: no answer) until the probe goes.
    /// </summary>
    private static ScriptedLineServer Start(string lastLoginReply, Func<string, string?> script) => new(async (client, ct) =>
    {
        await client.SendAsync("220 scripted\n", ct);
        foreach (var reply in (string[])["331 password please\n", "230 logged in\n", "215 UNIX Type: L8\n", "211 no features\n", lastLoginReply])
        {
            await client.ReadLineAsync(ct);
            await client.SendAsync(reply, ct);
        }

        while (await client.ReadLineAsync(ct) is { } command)
        {
            if (script(command) is { } reply)
            {
                await client.SendAsync(reply + "\n", ct);
            }
        }
    });
}
