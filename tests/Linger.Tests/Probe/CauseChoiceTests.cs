using System.Globalization;
using Linger.Knowledge;
using Linger.Probe;
using Linger.Probe.Tcp;

namespace Linger.Tests.Probe;

/// <summary>Two causes the wire cannot tell apart read as one sentence: the second title continues it in lower case.</summary>
public sealed class CauseChoiceTests
{
    [Fact]
    public void The_second_cause_continues_the_sentence()
    {
        var en = CultureInfo.GetCultureInfo("en");
        var session = new ProbeSession("probe", "example:1");

        CauseChoice.Find(session, "connect-refused", "connect", "refused", "nothing-listening", "firewall-reject", "ECONNREFUSED");

        var finding = Assert.Single(session.Report().Findings);
        var second = KnowledgeBase.Default.Text("cause.firewall-reject.title", en)!;
        Assert.StartsWith(KnowledgeBase.Default.Text("cause.nothing-listening.title", en) + ", or ", finding.LikelyCause, StringComparison.Ordinal);
        Assert.EndsWith(char.ToLowerInvariant(second[0]) + second[1..], finding.LikelyCause, StringComparison.Ordinal);

        // The same, spelled out, so that a rule that lowered the wrong letter or none cannot agree with itself.
        Assert.Equal("Nothing is listening on that address and port, or a firewall rejects the connection", finding.LikelyCause);
    }
}
