using System.Text.RegularExpressions;
using Linger.Tests.Support;

namespace Linger.Tests.Probe.Smtp;

/// <summary>
/// The password prompt of <c>linger probe smtp --user</c> at a real terminal (see <see cref="PromptTerminal"/>): with
/// the password variable unset, the probe asks, the password typed is not echoed, and the login and the message go
/// through to the real postfix (see <see cref="PostfixServer"/>).
/// </summary>
public sealed partial class SmtpPasswordPromptTests(PostfixServer postfix) : IClassFixture<PostfixServer>
{
    private const string Prompt = $"Password for {PostfixServer.User} (not shown): ";

    [RootFact]
    public async Task A_password_typed_at_the_prompt_is_not_echoed_and_the_login_and_message_go_through()
    {
        using var terminal = new PromptTerminal(
            ["LINGER_SMTP_PASSWORD"],
            "probe", "smtp", postfix.Target(postfix.SmtpPort), "--insecure", "--timeout", "10", "--user", PostfixServer.User,
            "--send", "--from", $"{PostfixServer.User}@{PostfixServer.LocalDomain}", "--to", "far@elsewhere.test");
        await terminal.WaitForAsync(Prompt);
        await terminal.TypeWhenNotEchoingAsync(postfix.Password);
        var exitCode = await terminal.ExitCodeAsync();

        var screen = terminal.Screen;
        Assert.True(exitCode == 0, $"exit code {exitCode}; the terminal showed:\n{screen}");
        PasswordAssert.NowhereIn(postfix.Password, PostfixServer.User, screen);
        Assert.Contains("235 2.7.0 Authentication successful", screen, StringComparison.Ordinal);
        var queueId = QueuedAs().Match(screen).Groups[1].Value;
        Assert.NotEmpty(queueId);
        Assert.NotNull(postfix.FindDelivered(queueId));
    }

    [LinuxFact]
    public async Task Without_the_variable_and_without_a_terminal_to_ask_at_the_probe_stops_with_a_usage_error_naming_the_variable()
    {
        // An empty variable counts as unset; standard input is a closed pipe, so there is no terminal to ask at.
        var r = await LingerRunner.RunProcessAsync(new Dictionary<string, string> { ["LINGER_SMTP_PASSWORD"] = string.Empty }, "probe", "smtp", postfix.Target(postfix.SmtpPort), "--user", PostfixServer.User);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("LINGER_SMTP_PASSWORD", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Password for", r.Stderr + r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("connecting", r.Stdout, StringComparison.Ordinal);
    }

    // The transcript wraps at the terminal's width, possibly between the words.
    [GeneratedRegex(@"queued\s+as\s+([0-9A-Za-z]+)")]
    private static partial Regex QueuedAs();
}
