using Linger.Flows;
using Linger.Flows.Internal;

namespace Linger.Tests.Flows;

/// <summary>When a RST looks forged by a device on the path, and when a kernel's own RST does not.</summary>
public sealed class InjectionTests
{
    private static TcpScript Established(byte serverTtl = 64) =>
        new TcpScript().C("S").S("SA", ttl: serverTtl).C("A").C("PA", 100).S("A", ttl: serverTtl).S("PA", 200, ttl: serverTtl).C("A");

    [Fact]
    public void A_RST_like_the_servers_other_packets_is_not_suspected()
    {
        var c = Established().S("R", ipId: 0).Single();

        Assert.False(c.SuspectedInjection);
        Assert.Empty(c.InjectionReasons);
    }

    [Fact]
    public void A_RST_continuing_the_servers_IP_ID_counter_is_not_suspected()
    {
        var c = Established().S("R").Single();

        Assert.False(c.SuspectedInjection);
    }

    [Fact]
    public void Repeated_RSTs_with_the_same_sequence_number_are_not_suspected()
    {
        // A kernel answering each in-flight segment of the client with a RST at the same sequence number.
        var s = Established().S("R", ipId: 0);
        var c = s.C("PA", 100).S("R", ipId: 0).C("PA", 100).S("R", ipId: 0).Single();

        Assert.False(c.SuspectedInjection);
    }

    [Fact]
    public void A_RST_whose_TTL_differs_from_the_servers_packets_is_suspected()
    {
        var c = Established(serverTtl: 52).S("R", ttl: 64).Single();

        Assert.True(c.SuspectedInjection);
        var reason = Assert.Single(c.InjectionReasons);
        Assert.StartsWith("ttl-mismatch:", reason, StringComparison.Ordinal);
        Assert.Contains("64", reason, StringComparison.Ordinal);
        Assert.Contains("52", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resetter_that_carries_on_afterwards_is_suspected()
    {
        var c = Established().S("R").S("PA", 300, dt: 0.01).Single();

        Assert.Contains(c.InjectionReasons, r => r.StartsWith("sender-continued:", StringComparison.Ordinal));
        Assert.True(c.SuspectedInjection);
    }

    [Fact]
    public void A_RST_far_outside_the_receivers_window_is_suspected()
    {
        var s = Established();
        var c = s.S("R", seq: s.ServerNext + 10_000_000).Single();

        Assert.Contains(c.InjectionReasons, r => r.StartsWith("seq-outside-window:", StringComparison.Ordinal));
    }

    [Fact]
    public void Back_to_back_RSTs_with_jumping_sequence_numbers_are_suspected()
    {
        var s = Established();
        var c = s.S("R", ipId: 0).S("R", seq: s.ServerNext + 1460, ipId: 0, dt: 0.0001).S("R", seq: s.ServerNext + 2920, ipId: 0, dt: 0.0001).Single();

        Assert.Contains(c.InjectionReasons, r => r.StartsWith("rst-seq-jump:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_RST_answering_the_peers_challenge_ACK_is_not_a_sequence_jump()
    {
        // The client aborts with a RST inside the server's window but past its next expected byte (data was still
        // unacknowledged); the server answers with a challenge ACK (RFC 5961) and the client's kernel, which no longer
        // knows the connection, answers that with a RST at exactly the acknowledged number.
        var s = Established().C("PA", 1000).C("PA", 1000);
        var acked = s.ClientNext - 2000;
        var c = s.C("RA", seq: s.ClientNext).S("A", ack: acked, dt: 0.0001).C("R", seq: acked, dt: 0.0001).Single();

        Assert.DoesNotContain(c.InjectionReasons, r => r.StartsWith("rst-seq-jump:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_RST_breaking_the_servers_IP_ID_counter_is_suspected()
    {
        var c = Established().S("R", ipId: 61_000).Single();

        Assert.Contains(c.InjectionReasons, r => r.StartsWith("ip-id-anomaly:", StringComparison.Ordinal));
    }

    [Fact]
    public void IP_ID_zero_on_the_SYN_ACK_does_not_hide_the_servers_counter()
    {
        // Linux sends the SYN-ACK with ID 0 and the socket's packets with a counter; the counter is still judged.
        var c = new TcpScript().C("S").S("SA", ipId: 0).C("A").C("PA", 100).S("A").S("PA", 200).S("PA", 200).C("A")
            .S("R", ipId: 12_345).Single();

        Assert.Contains(c.InjectionReasons, r => r.StartsWith("ip-id-anomaly:", StringComparison.Ordinal));
    }

    [Fact]
    public void IP_ID_is_not_judged_for_IPv6()
    {
        var c = new TcpScript("[2001:db8::1]:50000", "[2001:db8::2]:443").Handshake().C("PA", 10).S("PA", 10).S("R").Single();

        Assert.False(c.SuspectedInjection);
    }

    [Fact]
    public void The_rule_reports_nothing_without_a_RST() =>
        Assert.Empty(InjectionRule.Judge(ResetEvidence.None));

    [Fact]
    public void The_rule_does_not_judge_the_window_when_the_receiver_never_acknowledged()
    {
        var rst = ResetEvidence.None with { Resetter = 1, Seq = 123, ReceiverAckKnown = false, ReceiverNextExpected = 999_999_999 };

        Assert.Empty(InjectionRule.Judge(rst));
    }

    [Fact]
    public void The_rule_does_not_judge_an_IP_ID_counter_after_a_long_pause()
    {
        // Hosts with one global IP ID counter move it on for other connections while this one is idle.
        var rst = ResetEvidence.None with
        {
            Resetter = 1,
            IpId = 60_000,
            SenderIpIdCount = 10,
            SenderIpIdSequential = true,
            SenderLastIpId = 100,
            SenderLastNonRstNs = 0,
            TimestampNs = 60_000_000_000,
        };

        Assert.Empty(InjectionRule.Judge(rst));
    }
}
