using System.Text.Json;
using System.Text.RegularExpressions;
using Linger.Tests.Support;

namespace Linger.Tests.Probe.Smtp;

/// <summary>
/// <c>linger probe smtp</c> against a real postfix (see <see cref="PostfixServer"/>): STARTTLS, implicit TLS,
/// a real message, and the TLS mode mismatches (logging in: <see cref="SmtpPostfixAuthTests"/>); postfix's own log is the cross-check of what the probe says it did.
/// </summary>
public sealed partial class SmtpPostfixTests(PostfixServer postfix) : IClassFixture<PostfixServer>
{
    private string Plain => postfix.Target(postfix.SmtpPort);

    private string Smtps => postfix.Target(postfix.SmtpsPort);

    [RootFact]
    public void Starttls_then_ehlo_again_passes_every_stage_and_postfix_logs_the_same_conversation()
    {
        var r = SmtpCli.Run(Plain, "--insecure", "--json", "--ehlo-name", "starttls.test");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var stages = doc.RootElement.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["resolve", "connect", "banner", "ehlo", "starttls", "ehlo"], stages);
        Assert.Contains("TLS", doc.RootElement.GetProperty("stages")[4].GetProperty("received").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", doc.RootElement.GetProperty("verdict").GetString());
        Assert.Contains("ehlo=2 starttls=1 quit=1", postfix.WaitForLog("starttls=1 quit=1"), StringComparison.Ordinal);
    }

    [RootFact]
    public void Auth_offered_only_after_starttls_is_noted()
    {
        var r = SmtpCli.Run(Plain, "--insecure");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("AUTH is offered only after STARTTLS", r.Stdout, StringComparison.Ordinal);
    }

    [RootFact]
    public void An_untrusted_certificate_fails_starttls_with_a_finding_and_insecure_is_not_implied()
    {
        var r = SmtpCli.Run(Plain);
        Assert.Equal(15, r.ExitCode);
        Assert.Contains("certificate is not trusted", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("--insecure", r.Stdout, StringComparison.Ordinal);
    }

    [RootFact]
    public void Implicit_tls_on_the_smtps_listener_starts_tls_before_the_banner()
    {
        var r = SmtpCli.Run(Smtps, "--tls", "implicit", "--insecure", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var stages = doc.RootElement.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["resolve", "connect", "tls", "banner", "ehlo"], stages);
    }

    [RootFact]
    public void Tls_spoken_to_the_plain_port_fails_the_handshake_meets_a_plain_greeting_and_is_a_wrong_tls_mode_finding()
    {
        var r = SmtpCli.Run(Plain, "--tls", "implicit", "--insecure", "--timeout", "5", "--json");
        Assert.Equal(13, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var tls = doc.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "tls");
        Assert.False(tls.GetProperty("ok").GetBoolean());
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("tls-to-plain-port", finding.GetProperty("id").GetString());
        Assert.Contains("220 probe-test.localdomain", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);

    }

    [RootFact]
    public void Plain_text_to_the_implicit_tls_port_meets_silence_and_a_wrong_tls_mode_finding()
    {
        var r = SmtpCli.Run(Smtps, "--tls", "starttls", "--timeout", "2", "--json");
        Assert.Equal(12, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("plain-to-implicit-tls-port", finding.GetProperty("id").GetString());
        Assert.Contains("SMTPS", finding.GetProperty("likely_cause").GetString() + finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [RootFact]
    public void Send_delivers_a_real_message_that_postfix_queues_and_delivers()
    {
        var r = SmtpCli.Run(Plain, "--insecure", "--send", "--from", "probe@example.test", "--to", $"someone@{PostfixServer.LocalDomain}", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var data = doc.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "data");
        var queueId = QueuedAs().Match(data.GetProperty("received").GetString()!).Groups[1].Value;
        Assert.NotEmpty(queueId);
        Assert.Matches($"{queueId}: to=<someone@{PostfixServer.LocalDomain}>.*status=sent", postfix.WaitForLog($"{queueId}: to="));
    }

    [RootFact]
    public void Relaying_without_login_is_refused_at_rcpt_with_the_auth_missing_cause()
    {
        var r = SmtpCli.Run(Plain, "--insecure", "--send", "--from", "probe@example.test", "--to", "far@elsewhere.test", "--json");
        Assert.Equal(17, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("rcpt-rejected", finding.GetProperty("id").GetString());
        Assert.Contains("Relay access denied", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed at rcpt", doc.RootElement.GetProperty("verdict").GetString());
    }

    [GeneratedRegex(@"queued as ([0-9A-F]+)")]
    private static partial Regex QueuedAs();
}
