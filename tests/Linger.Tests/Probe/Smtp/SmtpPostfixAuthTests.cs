using System.Text.Json;
using System.Text.RegularExpressions;
using Linger.Knowledge;
using Linger.Tests.Support;

namespace Linger.Tests.Probe.Smtp;

/// <summary>
/// <c>linger probe smtp --user</c> logging in to a real postfix through its own Cyrus SASL (see
/// <see cref="PostfixServer"/>): a message relayed only because the login worked and found in the Maildir, a wrong
/// password, and AUTH withheld before STARTTLS. Every run is made twice (transcript and JSON) and neither may hold the
/// password in any form.
/// </summary>
public sealed partial class SmtpPostfixAuthTests(PostfixServer postfix) : IClassFixture<PostfixServer>
{
    private const string Recipient = "far@elsewhere.test";

    [RootFact]
    public void Auth_plain_lets_postfix_relay_a_message_that_arrives_in_the_maildir_as_sent_by_the_user()
    {
        using var doc = Probe(postfix.Password, postfix.Target(postfix.SmtpPort), "--send", "--from", $"{PostfixServer.User}@{PostfixServer.LocalDomain}", "--to", Recipient);
        Assert.Equal(0, doc.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Equal("AUTH PLAIN", Stage(doc, "auth").GetProperty("sent").GetString());
        var queueId = QueueId(doc);
        var delivered = postfix.FindDelivered(queueId);
        Assert.NotNull(delivered);
        Assert.Contains("Subject: linger probe smtp test message", delivered, StringComparison.Ordinal);
        Assert.Contains($"Authenticated sender: {PostfixServer.User}", delivered, StringComparison.Ordinal);
        Assert.Contains("sasl_method=PLAIN", postfix.WaitForLog("sasl_method=PLAIN"), StringComparison.Ordinal);
    }

    [RootFact]
    public void Auth_login_is_used_when_the_server_offers_only_login_and_the_message_arrives()
    {
        using var doc = Probe(postfix.Password, postfix.Target(postfix.SubmissionPort), "--send", "--from", $"{PostfixServer.User}@{PostfixServer.LocalDomain}", "--to", Recipient);
        Assert.Equal(0, doc.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Equal("AUTH LOGIN", Stage(doc, "auth").GetProperty("sent").GetString());
        var delivered = postfix.FindDelivered(QueueId(doc));
        Assert.NotNull(delivered);
        Assert.Contains($"Authenticated sender: {PostfixServer.User}", delivered, StringComparison.Ordinal);
        Assert.Contains("sasl_method=LOGIN", postfix.WaitForLog("sasl_method=LOGIN"), StringComparison.Ordinal);
    }

    [RootFact]
    public void A_wrong_password_fails_the_auth_stage_with_postfixs_535_and_the_auth_rejected_finding()
    {
        using var doc = Probe("wrong-" + postfix.Password, postfix.Target(postfix.SmtpPort), "--send", "--from", $"{PostfixServer.User}@{PostfixServer.LocalDomain}", "--to", Recipient);
        Assert.Equal(16, doc.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Equal("failed at auth", doc.RootElement.GetProperty("verdict").GetString());
        Assert.StartsWith("535", Stage(doc, "auth").GetProperty("received").GetString(), StringComparison.Ordinal);
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("auth-rejected", finding.GetProperty("id").GetString());
        Assert.Equal("535", finding.GetProperty("explain_code").GetString());
        Assert.DoesNotContain(doc.RootElement.GetProperty("stages").EnumerateArray(), s => s.GetProperty("name").GetString() == "mail");
        Assert.Contains("authentication failed", postfix.WaitForLog("authentication failed"), StringComparison.Ordinal);
    }

    [RootFact]
    public void Auth_withheld_before_starttls_fails_the_auth_stage_with_the_auth_missing_cause_and_says_tls_comes_first()
    {
        using var doc = Probe(postfix.Password, postfix.Target(postfix.SmtpPort), "--tls", "none");
        Assert.Equal(16, doc.RootElement.GetProperty("exit_code").GetInt32());
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("auth-not-offered", finding.GetProperty("id").GetString());
        var title = KnowledgeBase.Default.Text("cause.smtp-auth-missing.title", System.Globalization.CultureInfo.GetCultureInfo("en"));
        Assert.Equal(title, finding.GetProperty("likely_cause").GetString());
        Assert.Contains("STARTTLS", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs the probe as <see cref="PostfixServer.User"/> with <paramref name="password"/> in a variable of its own, as
    /// a transcript and as JSON; asserts that neither output holds the password in any form and returns the JSON.
    /// </summary>
    private static JsonDocument Probe(string password, string target, params string[] args)
    {
        var variable = "LINGER_TEST_SMTP_PW_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, password);
        try
        {
            string[] common = [target, "--insecure", "--timeout", "10", "--user", PostfixServer.User, "--password-env", variable, .. args];
            var text = SmtpCli.Run(common);
            var json = SmtpCli.Run([.. common, "--json"]);
            Assert.Equal(text.ExitCode, json.ExitCode);
            Assert.Contains("AUTH", text.Stdout, StringComparison.Ordinal);
            PasswordAssert.NowhereIn(password, PostfixServer.User, text.Stdout, text.Stderr, json.Stdout, json.Stderr);
            return JsonDocument.Parse(json.Stdout);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    private static JsonElement Stage(JsonDocument doc, string name) =>
        doc.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    private static string QueueId(JsonDocument doc)
    {
        var id = QueuedAs().Match(Stage(doc, "data").GetProperty("received").GetString()!).Groups[1].Value;
        Assert.NotEmpty(id);
        return id;
    }

    [GeneratedRegex(@"queued as ([0-9A-Za-z]+)")]
    private static partial Regex QueuedAs();
}
