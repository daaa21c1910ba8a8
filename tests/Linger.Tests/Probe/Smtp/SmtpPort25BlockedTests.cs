using System.Globalization;
using System.Text.Json;
using Linger.Knowledge;
using Linger.Tests.Support;

namespace Linger.Tests.Probe.Smtp;

/// <summary>
/// <c>linger probe smtp HOST:25</c> where the path drops port 25 (see <see cref="Port25BlockedNetwork"/>): the
/// connect fails, the probe finds the same server answering on 587 and 465, and ends with the provider-block finding
/// whose fix is to submit on 587 or 465.
/// </summary>
public sealed class SmtpPort25DroppedTests(DroppedPort25Network network) : IClassFixture<DroppedPort25Network>
{
    [RootFact]
    public void A_dropped_port_25_with_587_and_465_open_ends_with_the_isp_blocks_port_25_finding()
    {
        var finding = Port25Blocked.Finding(network.Server, "10060");
        Assert.Equal(Port25Blocked.Text("title"), finding.GetProperty("likely_cause").GetString());
        Assert.Contains("no answer", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("port 25 alone is blocked on the way.", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [RootFact]
    public void The_submission_port_587_behind_the_same_filter_passes_every_stage()
    {
        var r = SmtpCli.Run(network.Server.Target(network.Server.SubmissionPort), "--insecure", "--timeout", "5");
        Assert.Equal(0, r.ExitCode);
    }
}

/// <summary>The same with port 25 answered by a reset instead of silence.</summary>
public sealed class SmtpPort25ResetTests(ResetPort25Network network) : IClassFixture<ResetPort25Network>
{
    [RootFact]
    public void A_reset_port_25_with_587_and_465_open_ends_with_the_isp_blocks_port_25_finding_first()
    {
        var finding = Port25Blocked.Finding(network.Server, "10061");
        Assert.StartsWith(Port25Blocked.Text("title") + ", or ", finding.GetProperty("likely_cause").GetString(), StringComparison.Ordinal);
        Assert.Contains("refused", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("port 25 alone is blocked on the way, or nothing listens on it.", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }
}

/// <summary>What both blocked-port tests check: the connect stage fails and the one finding names 587 and 465.</summary>
internal static class Port25Blocked
{
    public static JsonElement Finding(PostfixServer server, string explainCode)
    {
        var r = SmtpCli.Run(server.Target(server.SmtpPort), "--timeout", "2", "--json");
        Assert.Equal(11, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("failed at connect", doc.RootElement.GetProperty("verdict").GetString());
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray()).Clone();
        Assert.Equal("port-25-blocked", finding.GetProperty("id").GetString());
        Assert.Equal(explainCode, finding.GetProperty("explain_code").GetString());
        Assert.Contains("ports 587 and 465", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.StartsWith(Text("fix"), finding.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Contains("587", Text("fix"), StringComparison.Ordinal);
        Assert.Contains("465", Text("fix"), StringComparison.Ordinal);
        return finding;
    }

    public static string Text(string part) =>
        KnowledgeBase.Default.Text($"cause.isp-blocks-port-25.{part}", CultureInfo.GetCultureInfo("en")) ?? throw new InvalidOperationException($"no cause.isp-blocks-port-25.{part}");
}
