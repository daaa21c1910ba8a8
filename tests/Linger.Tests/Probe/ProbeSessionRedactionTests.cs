using Linger.Probe;

namespace Linger.Tests.Probe;

/// <summary>
/// A password is taken out of what may quote the outside world (a finding's summary), and left out of nothing else
/// that could carry it; the probe's own fixed wording stays whole, so a redaction mark never points at the password.
/// </summary>
public sealed class ProbeSessionRedactionTests
{
    [Fact]
    public void A_password_quoted_in_a_summary_is_redacted_in_every_form()
    {
        var session = new ProbeSession("smtp", "mail.example:587");
        session.AddSecret("s3cret-Pa55", "alice");
        var plainToken = Convert.ToBase64String("\0alice\0s3cret-Pa55"u8.ToArray());

        session.Find(new Finding("auth-rejected", "auth", $"The server said \"535 bad s3cret-Pa55 ({plainToken})\".", "cause", "fix", null));

        var summary = Assert.Single(session.Report().Findings).Summary;
        Assert.DoesNotContain("s3cret-Pa55", summary, StringComparison.Ordinal);
        Assert.DoesNotContain(plainToken, summary, StringComparison.Ordinal);
        Assert.Contains("<redacted>", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_that_is_a_word_of_the_probes_own_advice_leaves_the_advice_whole()
    {
        var session = new ProbeSession("smtp", "mail.example:587");
        session.AddSecret("wrong", "alice");

        session.Find(new Finding("auth-rejected", "auth", "The server refused the login of alice.", "A wrong user name or password.", "Check the password; a wrong one locks the account.", null));

        var finding = Assert.Single(session.Report().Findings);
        Assert.Equal("A wrong user name or password.", finding.LikelyCause);
        Assert.Equal("Check the password; a wrong one locks the account.", finding.Fix);
        Assert.DoesNotContain("<redacted>", finding.LikelyCause + finding.Fix, StringComparison.Ordinal);
    }
}
