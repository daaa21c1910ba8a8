using System.Net;
using Linger.Tests.Support;
using Linger.Wire;
using Linger.Wire.Filtering;

namespace Linger.Tests.WireLive;

/// <summary>The filter language's grammar: what it accepts, how it groups, and how it reports mistakes.</summary>
public sealed class FilterParserTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_filter_matches_everything(string text)
    {
        var filter = FilterExpression.Parse(text);

        Assert.True(filter.MatchesEverything);
        var packet = Segment("192.0.2.1", 1234, "198.51.100.7", 80);
        Assert.True(filter.Matches(in packet));
    }

    [Theory]
    [InlineData("host 10.0.0.1", "host 10.0.0.1")]
    [InlineData("src host 10.0.0.1", "src host 10.0.0.1")]
    [InlineData("dst 10.0.0.1", "dst host 10.0.0.1")]
    [InlineData("src or dst host 10.0.0.1", "host 10.0.0.1")]
    [InlineData("dst and src host 10.0.0.1", "src and dst host 10.0.0.1")]
    [InlineData("host 2001:DB8:0:0::1", "host 2001:db8::1")]
    [InlineData("net 10.0.0.0/8", "net 10.0.0.0/8")]
    [InlineData("net 10.1", "net 10.1.0.0/16")]
    [InlineData("net 192.168.7", "net 192.168.7.0/24")]
    [InlineData("net 10.2.3.4", "net 10.2.3.4/32")]
    [InlineData("net 10.0.0.0 mask 255.255.240.0", "net 10.0.0.0/20")]
    [InlineData("src net 2001:db8::/32", "src net 2001:db8::/32")]
    [InlineData("port 80", "port 80")]
    [InlineData("dst port 0", "dst port 0")]
    [InlineData("portrange 6000-6010", "portrange 6000-6010")]
    [InlineData("portrange 6010-6000", "portrange 6000-6010")]
    [InlineData("tcp port 80", "(tcp and port 80)")]
    [InlineData("tcp src portrange 1-1023", "(tcp and src portrange 1-1023)")]
    [InlineData("ip host 10.0.0.1", "(ip and host 10.0.0.1)")]
    [InlineData("ip6 net 2001:db8::/32", "(ip6 and net 2001:db8::/32)")]
    [InlineData("tcp", "tcp")]
    [InlineData("ip", "ip")]
    [InlineData("ip6", "ip6")]
    [InlineData("port 80 or 443", "(port 80 or port 443)")]
    [InlineData("tcp dst port 80 or 443", "((tcp and dst port 80) or (tcp and dst port 443))")]
    [InlineData("not host 10.0.0.1 and 10.0.0.2", "(not host 10.0.0.1 and host 10.0.0.2)")]
    [InlineData("port 80 or (443)", "(port 80 or port 443)")]
    public void Valid_forms_parse_to_their_canonical_meaning(string text, string canonical)
    {
        Assert.Equal(canonical, FilterExpression.Parse(text).ToString());
    }

    [Theory]
    [InlineData("port 1 or port 2 and port 3", "((port 1 or port 2) and port 3)")]
    [InlineData("port 1 and port 2 or port 3", "((port 1 and port 2) or port 3)")]
    [InlineData("port 1 or port 2 or port 3", "((port 1 or port 2) or port 3)")]
    [InlineData("port 1 and port 2 and port 3", "((port 1 and port 2) and port 3)")]
    public void And_and_or_have_equal_precedence_and_group_left_to_right_as_in_pcap_filter(string text, string canonical)
    {
        Assert.Equal(canonical, FilterExpression.Parse(text).ToString());
    }

    [Theory]
    [InlineData("not port 1 and port 2", "(not port 1 and port 2)")]
    [InlineData("not port 1 or port 2", "(not port 1 or port 2)")]
    [InlineData("not not port 1", "not not port 1")]
    [InlineData("! port 1 && ! port 2", "(not port 1 and not port 2)")]
    public void Not_binds_tighter_than_and_and_or(string text, string canonical)
    {
        Assert.Equal(canonical, FilterExpression.Parse(text).ToString());
    }

    [Theory]
    [InlineData("port 1 or (port 2 and port 3)", "(port 1 or (port 2 and port 3))")]
    [InlineData("not (port 1 or port 2)", "not (port 1 or port 2)")]
    [InlineData("((port 1))", "port 1")]
    public void Parentheses_override_the_grouping(string text, string canonical)
    {
        Assert.Equal(canonical, FilterExpression.Parse(text).ToString());
    }

    [Fact]
    public void Symbols_mean_the_same_as_words()
    {
        Assert.Equal(
            FilterExpression.Parse("not port 1 and (port 2 or port 3)").ToString(),
            FilterExpression.Parse("!port 1&&(port 2||port 3)").ToString());
    }

    [Fact]
    public void Equal_precedence_means_a_packet_matching_only_the_first_alternative_fails_the_trailing_and()
    {
        // With C-like precedence this would be "port 80 or (port 443 and host 10.0.0.1)" and match.
        var filter = FilterExpression.Parse("port 80 or port 443 and host 10.0.0.1");
        var packet = Segment("10.9.9.9", 50000, "10.9.9.8", 80);

        Assert.False(filter.Matches(in packet));
    }

    [Theory]
    [InlineData("port", 5, "expected a port number after 'port'")]
    [InlineData("port abc", 6, "expected a port number after 'port', found 'abc'")]
    [InlineData("src port 70000", 10, "expected a port number after 'port', found '70000'")]
    [InlineData("portrange 5-", 11, "expected a port range after 'portrange'")]
    [InlineData("host", 5, "expected an IPv4 or IPv6 address after 'host'")]
    [InlineData("host 10.0.0.256", 6, "expected an IPv4 or IPv6 address, found '10.0.0.256'")]
    [InlineData("host 10.1", 6, "expected an IPv4 or IPv6 address")]
    [InlineData("host example.com", 6, "expected an IPv4 or IPv6 address")]
    [InlineData("host fe80::1%eth0", 6, "expected an IPv4 or IPv6 address")]
    [InlineData("net 10.0.0.1/8", 5, "non-network bits set in '10.0.0.1/8'")]
    [InlineData("net 10.0.0.0/33", 5, "expected a prefix length from 0 to 32")]
    [InlineData("net 2001:db8:: mask 255.0.0.0", 16, "'mask' works only with IPv4 networks")]
    [InlineData("net 10.0.0.0/8 mask 255.0.0.0", 16, "'10.0.0.0/8' already has a prefix length")]
    [InlineData("net 10.0.0.0 mask 255.0.255.0", 19, "'255.0.255.0' is not a contiguous netmask")]
    [InlineData("port 80 and", 12, "after 'and', found the end of the filter")]
    [InlineData("not", 4, "after 'not', found the end of the filter")]
    [InlineData("(port 80", 9, "expected ')' to close the '(' at column 1")]
    [InlineData("port 80)", 8, "unexpected ')'")]
    [InlineData("port 80 port 81", 9, "expected 'and', 'or' or the end of the filter, found 'port'")]
    [InlineData("port 80 & port 81", 9, "unexpected '&'")]
    [InlineData("port 80 | port 81", 9, "unexpected '|'")]
    [InlineData("udp port 53", 1, "'udp' is not supported")]
    [InlineData("tcp and arp", 9, "'arp' is not supported")]
    [InlineData("10.0.0.1", 1, "expected a primitive, found '10.0.0.1'")]
    [InlineData("PORT 80", 1, "unknown word 'PORT'")]
    [InlineData("tcp host 10.0.0.1", 1, "'tcp' cannot qualify a host or a net")]
    [InlineData("ip6 host 10.0.0.1", 1, "'ip6' does not match an IPv4 address")]
    [InlineData("ip net 2001:db8::/32", 1, "'ip' does not match an IPv6 address")]
    [InlineData("ip port 80", 1, "'ip' cannot qualify a port")]
    [InlineData("host 10.0.0.1 and ()", 20, "found ')'")]
    public void Bad_input_is_reported_with_its_column_and_problem(string text, int column, string problem)
    {
        var error = Assert.Throws<FilterSyntaxException>(() => FilterExpression.Parse(text));

        Assert.Equal(column, error.Column);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains($"at column {column}", error.Message, StringComparison.Ordinal);
        Assert.Equal(text, error.Filter);
    }

    [Theory]
    [InlineData("80", "did you mean 'port 80'?")]
    [InlineData("10.0.0.1", "did you mean 'host 10.0.0.1'?")]
    [InlineData("PORT 80", "write 'port'")]
    [InlineData("port http", "service names such as 'http' are not supported")]
    [InlineData("net 10.0.0.1/8", "did you mean 'host 10.0.0.1'")]
    public void Errors_say_what_to_write_instead(string text, string hint)
    {
        var error = Assert.Throws<FilterSyntaxException>(() => FilterExpression.Parse(text));

        Assert.Contains(hint, error.Hint, StringComparison.Ordinal);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_instead_of_exhausting_the_stack()
    {
        var text = new string('(', 100_000) + "port 1" + new string(')', 100_000);

        var error = Assert.Throws<FilterSyntaxException>(() => FilterExpression.Parse(text));

        Assert.Contains("more than 100 deep", error.Message, StringComparison.Ordinal);
        Assert.Equal(101, error.Column);
        Assert.Equal("not not port 1", FilterExpression.Parse("not not port 1").ToString());
    }

    [Fact]
    public void A_runaway_number_of_primitives_is_refused()
    {
        var ports = string.Join(" or ", Enumerable.Range(1, 1001));

        var error = Assert.Throws<FilterSyntaxException>(() => FilterExpression.Parse("port " + ports));

        Assert.Contains("more than 1000 primitives", error.Message, StringComparison.Ordinal);
        var thousand = FilterExpression.Parse(string.Join(" or ", Enumerable.Range(1, 1000).Select(i => $"port {i}")));
        Assert.False(thousand.MatchesEverything);
    }

    [Fact]
    public void The_caret_line_points_at_the_column()
    {
        var error = Assert.Throws<FilterSyntaxException>(() => FilterExpression.Parse("port 80 and port x"));

        var lines = error.TextWithCaret.Split(Environment.NewLine);
        Assert.Equal("port 80 and port x", lines[0]);
        Assert.Equal(error.Column - 1, lines[1].IndexOf('^', StringComparison.Ordinal));
        Assert.Equal('x', lines[0][error.Column - 1]);
    }

    [Fact]
    public void Matching_a_segment_allocates_nothing()
    {
        var filter = FilterExpression.Parse("(net 10.0.0.0/8 or net 2001:db8::/32) and not (portrange 1-1023 or host 10.0.0.9) and ip");
        var packets = new[]
        {
            Segment("10.1.2.3", 40000, "10.3.2.1", 8080),
            Segment("2001:db8::5", 40000, "2001:db8::6", 22),
            Segment("192.0.2.1", 40000, "10.0.0.9", 8080),
        };
        var matches = 0;
        filter.Matches(in packets[0]);

        var fewest = Allocations.Fewest(3, round =>
        {
            for (var i = 0; i < 30_000; i++)
            {
                if (filter.Matches(in packets[i % 3]))
                {
                    matches++;
                }
            }
        });

        Assert.Equal(0, fewest);
        Assert.Equal(30_000, matches);
    }

    private static TcpPacket Segment(string source, ushort sourcePort, string destination, ushort destinationPort) => new()
    {
        Source = IpAddress.From(IPAddress.Parse(source)),
        SourcePort = sourcePort,
        Destination = IpAddress.From(IPAddress.Parse(destination)),
        DestinationPort = destinationPort,
        Flags = TcpFlags.Ack,
    };
}
