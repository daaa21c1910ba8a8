using Linger.Wire.Filtering;

namespace Linger.Tests.WireLive;

/// <summary>
/// The filter language means what tcpdump means. For each expression, three judges look at the same packets:
/// tcpdump itself (<c>tcpdump -r in.pcap -w out.pcap '(EXPR) and tcp'</c>), the managed evaluator on the decoded
/// segments, and the compiled BPF program run on the bytes as an AF_PACKET SOCK_DGRAM socket shows them to the
/// kernel (network header first, ethertype as ancillary data). All three must keep the same packets.
/// </summary>
public sealed class FilterSemanticsTests(TcpdumpCrossCheckFixture capture) : IClassFixture<TcpdumpCrossCheckFixture>
{
    public static TheoryData<string> Expressions => new(ExpressionList);

    public static readonly string[] ExpressionList =
    [
        "",
        "tcp",
        "ip",
        "ip6",
        "not ip6",
        "host 10.0.0.1",
        "src host 10.0.0.1",
        "dst host 10.0.0.2",
        "host 2001:db8::1",
        "src host ::1",
        "dst host 2001:db8::a00:1",
        "src and dst host 10.0.0.1",
        "src or dst host 2001:db8::2",
        "src 192.168.1.10",
        "net 10.0.0.0/8",
        "net 10.0.0.0/24",
        "net 10.1",
        "net 172.16.0.0/12",
        "src net 192.168.0.0/16",
        "dst net 172.16.0.0/12",
        "net 10.0.0.0 mask 255.0.0.0",
        "net 0.0.0.0/0",
        "net 8.8.8.8",
        "net 2001:db8::/32",
        "net 2001:db8:1::/48",
        "src net fe80::/10",
        "dst net 2001:db8::/33",
        "net 2001:db8::1/128",
        "net ::/0",
        "src and dst net 10.0.0.0/8",
        "port 80",
        "src port 443",
        "dst port 8080",
        "port 0",
        "port 65535",
        "src and dst port 80",
        "portrange 5000-5005",
        "src portrange 1000-2000",
        "portrange 5005-5000",
        "dst portrange 0-22",
        "tcp port 80",
        "tcp dst port 443",
        "ip and port 22",
        "ip6 and port 443",
        "ip host 10.0.0.1",
        "ip6 src net 2001:db8::/32",
        "not tcp",
        "not port 80",
        "ip and not port 22",
        "not port 80 and not port 443",
        "!(port 80 || port 443)",
        "host 10.0.0.1 && dst port 80",
        "port 80 or port 443 and host 10.0.0.1",
        "port 80 or (port 443 and host 10.0.0.1)",
        "host 10.0.0.1 and port 80 or port 22",
        "not port 80 or port 443",
        "not (port 80 or port 443) and ip6",
        "port 80 or 443",
        "host 10.0.0.1 or 10.0.0.2 and port 22",
        "not host 10.0.0.1 and 10.0.0.2",
        "tcp dst port 80 or 443",
        "((net 10.0.0.0/8 or net 2001:db8::/32) and not (src port 0 or dst port 0)) or host ::1",
    ];

    [Theory]
    [MemberData(nameof(Expressions))]
    public void Managed_evaluator_and_compiled_BPF_keep_exactly_what_tcpdump_keeps(string expression)
    {
        var filter = FilterExpression.Parse(expression);
        var program = BpfCompiler.Compile(filter, BpfTarget.PacketSocket);
        var byTcpdump = capture.KeptByTcpdump(expression.Length == 0 ? "tcp" : $"({expression}) and tcp");

        var byBpf = new HashSet<int>();
        var byEvaluator = new HashSet<int>();
        var plainSegments = new HashSet<int>();
        for (var i = 0; i < capture.Packets.Count; i++)
        {
            var packet = capture.Packets[i];
            var ancillary = new ClassicBpfInterpreter.Ancillary(packet.Ethertype, PacketType: 0, InterfaceIndex: 2);
            if (ClassicBpfInterpreter.Run(program.Instructions, packet.Network, ancillary) != 0)
            {
                byBpf.Add(i);
            }

            if (packet.Segment is { } segment)
            {
                plainSegments.Add(i);
                if (filter.Matches(in segment))
                {
                    byEvaluator.Add(i);
                }
            }
        }

        Assert.True(byBpf.SetEquals(byTcpdump), Difference("compiled BPF", byBpf, byTcpdump, program.ToString()));

        // The managed evaluator only ever sees decoded segments: compare it on those.
        var tcpdumpOnSegments = new HashSet<int>(byTcpdump);
        tcpdumpOnSegments.IntersectWith(plainSegments);
        Assert.True(byEvaluator.SetEquals(tcpdumpOnSegments), Difference("managed evaluator", byEvaluator, tcpdumpOnSegments, filter.ToString()));
    }

    [Fact]
    public void A_program_longer_than_a_conditional_jump_can_reach_still_agrees_with_tcpdump()
    {
        // Forty IPv6 host tests put the accept label far beyond 255 instructions from the first jumps.
        var hosts = string.Join(" or ", Enumerable.Range(1, 40).Select(i => $"host 2001:db8::{i:x}"));
        var expression = $"({hosts} or host 2001:db8:1::2) and not port 22";
        var program = BpfCompiler.Compile(FilterExpression.Parse(expression), BpfTarget.PacketSocket);
        Assert.True(program.Length > 300, $"only {program.Length} instructions");
        Assert.Contains(program.Instructions.ToArray(), i => i.Code == 0x05); // ja: a jump too far for jt/jf

        var byTcpdump = capture.KeptByTcpdump($"({expression}) and tcp");
        var byBpf = Enumerable.Range(0, capture.Packets.Count).Where(i => Run(program, capture.Packets[i]) != 0).ToHashSet();

        Assert.NotEmpty(byTcpdump);
        Assert.True(byBpf.SetEquals(byTcpdump), Difference("compiled BPF", byBpf, byTcpdump, program.ToString()));
    }

    [Fact]
    public void The_capture_discriminates_every_primitive_so_agreement_means_something()
    {
        // Each primitive keeps some TCP packets and drops others; otherwise agreeing with tcpdump would prove nothing.
        foreach (var expression in (string[])["host 10.0.0.1", "net 2001:db8::/32", "port 80", "portrange 5000-5005", "ip", "ip6", "src port 443", "dst net 10.0.0.0/8"])
        {
            var kept = capture.KeptByTcpdump($"({expression}) and tcp").Count;
            var tcp = capture.KeptByTcpdump("tcp").Count;
            Assert.InRange(kept, 1, tcp - 1);
        }
    }

    [Fact]
    public void Kernel_filter_does_not_walk_ipv6_extension_headers_just_like_tcpdump()
    {
        var behindHopByHop = capture.Packets.Select((p, i) => (p, i)).Single(x => x.p.Description.Contains("HopByHop", StringComparison.Ordinal)).i;
        var behindFragment = capture.Packets.Select((p, i) => (p, i)).Single(x => x.p.Description.Contains("FragmentHeader", StringComparison.Ordinal)).i;

        // tcpdump's "tcp" looks through a fragment header but not a hop-by-hop header, and port tests look through neither.
        Assert.DoesNotContain(behindHopByHop, capture.KeptByTcpdump("tcp"));
        Assert.Contains(behindFragment, capture.KeptByTcpdump("tcp"));
        Assert.DoesNotContain(behindFragment, capture.KeptByTcpdump("port 80"));

        var tcp = BpfCompiler.Compile(FilterExpression.Parse("tcp"), BpfTarget.PacketSocket);
        var port = BpfCompiler.Compile(FilterExpression.Parse("port 80"), BpfTarget.PacketSocket);
        Assert.Equal(0u, Run(tcp, capture.Packets[behindHopByHop]));
        Assert.NotEqual(0u, Run(tcp, capture.Packets[behindFragment]));
        Assert.Equal(0u, Run(port, capture.Packets[behindFragment]));
    }

    private static uint Run(BpfProgram program, SyntheticPacket packet) =>
        ClassicBpfInterpreter.Run(program.Instructions, packet.Network, new ClassicBpfInterpreter.Ancillary(packet.Ethertype, 0, 2));

    private string Difference(string judge, HashSet<int> actual, HashSet<int> expected, string detail)
    {
        var extra = actual.Except(expected).Select(i => capture.Packets[i].Description);
        var missing = expected.Except(actual).Select(i => capture.Packets[i].Description);
        return $"{judge} disagrees with tcpdump.\nkept but tcpdump dropped: {string.Join("; ", extra)}\n"
            + $"dropped but tcpdump kept: {string.Join("; ", missing)}\n{detail}";
    }
}
