using System.Globalization;
using System.Text;
using System.Text.Json;
using Linger.Knowledge;
using Linger.Tests.Support;

namespace Linger.Tests.Probe.Smtp;

/// <summary>
/// <c>linger probe smtp</c> against <see cref="ScriptedLineServer"/>s that really do what broken or hostile servers do:
/// greet with 421, reset the connection after EHLO or MAIL FROM, and take a password by AUTH PLAIN or AUTH LOGIN.
/// </summary>
public sealed class SmtpFailureTests
{
    private const string Password = "Hunter2-is-not-a-password!";

    [Fact]
    public void A_421_greeting_fails_the_banner_stage_with_a_finding_naming_too_many_connections()
    {
        using var server = new ScriptedLineServer(async (c, t) => await c.SendAsync("421 4.7.0 fake.test Error: too many connections from 127.0.0.1\n", t));
        var r = SmtpCli.Run(Target(server), "--json", "--timeout", "5");
        Assert.Equal(12, r.ExitCode);
        var finding = SingleFinding(r);
        Assert.Equal("greeting-421", finding.GetProperty("id").GetString());
        Assert.Equal("421", finding.GetProperty("explain_code").GetString());
        Assert.Contains("too many connections", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [LinuxFact]
    public void A_reset_right_after_ehlo_fails_the_ehlo_stage_with_connection_reset_and_a_finding()
    {
        using var server = new ScriptedLineServer(async (c, t) =>
        {
            await c.SendAsync("220 fake.test ESMTP\n", t);
            await c.ReadLineAsync(t);
            c.Reset();
        });
        var r = SmtpCli.Run(Target(server), "--json", "--timeout", "5");
        Assert.Equal(14, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var ehlo = doc.RootElement.GetProperty("stages").EnumerateArray().Last();
        Assert.Equal("ehlo", ehlo.GetProperty("name").GetString());
        Assert.Equal("ConnectionReset", ehlo.GetProperty("error").GetProperty("socket_error").GetString());
        Assert.Equal(104, ehlo.GetProperty("error").GetProperty("errno").GetInt32());
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("ehlo-reset", finding.GetProperty("id").GetString());
        Assert.Equal("10054", finding.GetProperty("explain_code").GetString());
    }

    [Fact]
    public void A_reset_right_after_mail_from_fails_the_mail_stage_with_a_finding()
    {
        using var server = new ScriptedLineServer(async (c, t) =>
        {
            await c.SendAsync("220 fake.test ESMTP\n", t);
            await c.ReadLineAsync(t);
            await c.SendAsync("250-fake.test\n250 8BITMIME\n", t);
            await c.ReadLineAsync(t);
            c.Reset();
        });
        var r = SmtpCli.Run(Target(server), "--json", "--timeout", "5", "--send", "--from", "a@example.test", "--to", "b@example.test");
        Assert.Equal(17, r.ExitCode);
        var finding = SingleFinding(r);
        Assert.Equal("mail-reset", finding.GetProperty("id").GetString());
        Assert.Contains("MAIL FROM", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("MAIL FROM:<a@example.test>", server.Received);
    }

    [Fact]
    public void Ehlo_refused_falls_back_to_helo()
    {
        using var server = new ScriptedLineServer(async (c, t) =>
        {
            await c.SendAsync("220 old.test SMTP\n", t);
            await c.ReadLineAsync(t);
            await c.SendAsync("502 5.5.2 command not recognized\n", t);
            await c.ReadLineAsync(t);
            await c.SendAsync("250 old.test\n", t);
            await c.ReadLineAsync(t);
            await c.SendAsync("221 bye\n", t);
        });
        var r = SmtpCli.Run(Target(server), "--timeout", "5", "--ehlo-name", "client.test");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["EHLO client.test", "HELO client.test", "QUIT"], server.Received);
    }

    [Theory]
    [InlineData("PLAIN LOGIN")]
    [InlineData("LOGIN")]
    public void A_password_sent_by_auth_reaches_the_server_but_no_output(string mechanisms)
    {
        string? heard = null;
        using var server = new ScriptedLineServer((c, t) => AuthServerAsync(c, mechanisms, password => Volatile.Write(ref heard, password), t));
        var variable = "LINGER_TEST_SMTP_PW_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Password);
        try
        {
            var args = new[] { Target(server), "--timeout", "5", "--user", "alice", "--password-env", variable, "--send", "--from", "alice@example.test", "--to", "bob@example.test" };
            var text = SmtpCli.Run(args);
            Assert.Equal(Password, Volatile.Read(ref heard));
            var json = SmtpCli.Run([.. args, "--json"]);
            Assert.Equal(0, text.ExitCode);
            Assert.Equal(0, json.ExitCode);
            Assert.Equal(Password, Volatile.Read(ref heard));
            Assert.Contains("<redacted>", text.Stdout, StringComparison.Ordinal);
            PasswordAssert.NowhereIn(Password, "alice", text.Stdout, text.Stderr, json.Stdout, json.Stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Theory]
    [InlineData("auth", 16)]
    [InlineData("rcpt", 17)]
    [InlineData("no-auth", 16)] // not refused by a reply: AUTH is not offered, so the login cannot be tried
    public void A_refusal_is_followed_by_quit_as_a_mail_client_ends_the_session(string refused, int exitCode)
    {
        using var server = new ScriptedLineServer(async (c, t) =>
        {
            await c.SendAsync("220 fake.test ESMTP\n", t);
            await c.ReadLineAsync(t);
            if (refused == "no-auth")
            {
                await c.SendAsync("250 fake.test\n", t);
            }
            else
            {
                await c.SendAsync("250-fake.test\n250 AUTH PLAIN\n", t);
                await c.ReadLineAsync(t); // AUTH PLAIN
            }

            if (refused == "auth")
            {
                await c.SendAsync("535 5.7.8 Error: authentication failed\n", t);
            }
            else if (refused == "rcpt")
            {
                await c.SendAsync("235 2.7.0 Authentication successful\n", t);
                await c.ReadLineAsync(t); // MAIL FROM
                await c.SendAsync("250 2.1.0 Ok\n", t);
                await c.ReadLineAsync(t); // RCPT TO
                await c.SendAsync("554 5.7.1 Relay access denied\n", t);
            }

            if (await c.ReadLineAsync(t) == "QUIT")
            {
                await c.SendAsync("221 2.0.0 Bye\n", t);
            }
        });
        var variable = "LINGER_TEST_SMTP_PW_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Password);
        try
        {
            var r = SmtpCli.Run(Target(server), "--timeout", "5", "--user", "alice", "--password-env", variable, "--send", "--from", "alice@example.test", "--to", "bob@example.test");

            Assert.Equal(exitCode, r.ExitCode);
            Assert.Equal("QUIT", server.Received[^1]);
            Assert.DoesNotContain("no clean QUIT", r.Stdout + r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_refused_connection_fails_the_connect_stage_naming_both_causes_a_refusal_can_have()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        var r = SmtpCli.Run("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "--json", "--timeout", "5");
        Assert.Equal(11, r.ExitCode);
        var finding = SingleFinding(r);
        Assert.Equal("connect-refused", finding.GetProperty("id").GetString());
        var en = CultureInfo.GetCultureInfo("en");
        Assert.Equal($"{KnowledgeBase.Default.Text("cause.nothing-listening.title", en)}, or {KnowledgeBase.Default.Text("cause.firewall-reject.title", en)}", finding.GetProperty("likely_cause").GetString(), ignoreCase: true);
    }

    [Fact]
    public void A_target_with_a_bad_port_is_a_usage_error()
    {
        var r = SmtpCli.Run("mail.example.test:99999");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("99999", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Send_without_a_recipient_is_a_usage_error()
    {
        var r = SmtpCli.Run("mail.example.test", "--send", "--from", "a@example.test");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--to", r.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Serves one login and message; returns the password the client sent.</summary>
    /// <summary>
    /// Serves one authenticated send. The password is handed to <paramref name="heard"/> as soon as it is read, before
    /// the server answers it: the probe may exit as soon as the last reply arrives, before this method returns.
    /// </summary>
    private static async Task AuthServerAsync(ScriptedLineClient c, string mechanisms, Action<string?> heard, CancellationToken t)
    {
        string? password = null;
        await c.SendAsync("220 fake.test ESMTP\n", t);
        await c.ReadLineAsync(t);
        await c.SendAsync($"250-fake.test\n250 AUTH {mechanisms}\n", t);
        var auth = await c.ReadLineAsync(t);
        if (auth!.StartsWith("AUTH PLAIN ", StringComparison.Ordinal))
        {
            password = Encoding.UTF8.GetString(Convert.FromBase64String(auth["AUTH PLAIN ".Length..])).Split('\0')[2];
        }
        else
        {
            await c.SendAsync("334 VXNlcm5hbWU6\n", t);
            await c.ReadLineAsync(t);
            await c.SendAsync("334 UGFzc3dvcmQ6\n", t);
            password = Encoding.UTF8.GetString(Convert.FromBase64String((await c.ReadLineAsync(t))!));
        }

        heard(password);
        await c.SendAsync(password == Password ? "235 2.7.0 Authentication successful\n" : "535 5.7.8 Error: authentication failed\n", t);
        foreach (var reply in new[] { "250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>" })
        {
            await c.ReadLineAsync(t);
            await c.SendAsync(reply + "\n", t);
        }

        for (var line = await c.ReadLineAsync(t); line is not null and not "."; line = await c.ReadLineAsync(t))
        {
        }

        await c.SendAsync("250 2.0.0 Ok: queued as FAKE1\n", t);
        await c.ReadLineAsync(t);
        await c.SendAsync("221 2.0.0 Bye\n", t);
    }

    private static string Target(ScriptedLineServer server) => "127.0.0.1:" + server.Port.ToString(CultureInfo.InvariantCulture);

    private static JsonElement SingleFinding(SmtpCli.Result r)
    {
        using var doc = JsonDocument.Parse(r.Stdout);
        return Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray()).Clone();
    }
}
