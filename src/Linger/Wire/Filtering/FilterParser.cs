using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Linger.Wire.Filtering;

/// <summary>
/// Recursive-descent parser for the filter language (see README.md in this folder). Precedence follows
/// pcap-filter(7): <c>not</c> binds tightest; <c>and</c> and <c>or</c> have equal precedence and associate left to
/// right, so <c>a or b and c</c> means <c>(a or b) and c</c>.
/// </summary>
internal sealed class FilterParser
{
    private const string Primitives = "host, net, port, portrange, tcp, ip or ip6";

    // Bounds that keep a hostile or runaway filter from exhausting the stack (the tree is walked recursively).
    private const int MaxNesting = 100;
    private const int MaxPrimitives = 1000;

    private static readonly string[] UnsupportedWords =
    [
        "udp", "icmp", "icmp6", "sctp", "arp", "rarp", "ether", "proto", "protochain", "less", "greater", "len",
        "vlan", "mpls", "gateway", "broadcast", "multicast", "igmp", "pim", "inbound", "outbound", "ifname",
    ];

    private readonly string text;
    private readonly List<FilterToken> tokens;
    private int position;
    private int nesting;
    private int primitives;

    // The qualifiers of the last primitive that had a value, for tcpdump's shorthand "port 80 or 443".
    private Qualifiers? lastQualifiers;

    private FilterParser(string text)
    {
        this.text = text;
        tokens = FilterLexer.Tokenize(text);
    }

    private enum PrimitiveType
    {
        Host,
        Net,
        Port,
        PortRange,
    }

    private FilterToken Current => tokens[position];

    private FilterToken Previous => tokens[position - 1];

    public static FilterNode Parse(string text)
    {
        var parser = new FilterParser(text);
        if (parser.Current.Kind == FilterTokenKind.End)
        {
            return EverythingNode.Instance;
        }

        var node = parser.ParseSequence();
        if (parser.Current.Kind == FilterTokenKind.CloseParenthesis)
        {
            throw parser.Error(parser.Current, "unexpected ')' with no '(' before it", "remove it or add the matching '('");
        }

        if (parser.Current.Kind != FilterTokenKind.End)
        {
            throw parser.Error(
                parser.Current,
                $"expected 'and', 'or' or the end of the filter, found {parser.Current.Describe()}",
                "join primitives with 'and' or 'or'");
        }

        return node;
    }

    private static bool IsAnd(FilterToken token) => token.Kind == FilterTokenKind.AmpersandAmpersand || token.Is("and");

    private static bool IsOr(FilterToken token) => token.Kind == FilterTokenKind.BarBar || token.Is("or");

    private static bool IsNot(FilterToken token) => token.Kind == FilterTokenKind.Bang || token.Is("not");

    private static bool IsKeyword(FilterToken token) =>
        token.Kind == FilterTokenKind.Word && (IsProtocolWord(token) || IsDirectionWord(token) || IsTypeWord(token)
            || token.Is("and") || token.Is("or") || token.Is("not") || token.Is("mask"));

    private static bool IsProtocolWord(FilterToken token) => token.Is("tcp") || token.Is("ip") || token.Is("ip6");

    private static bool IsDirectionWord(FilterToken token) => token.Is("src") || token.Is("dst");

    private static bool IsTypeWord(FilterToken token) =>
        token.Is("host") || token.Is("net") || token.Is("port") || token.Is("portrange");

    private FilterNode ParseSequence()
    {
        var left = ParseUnary();
        while (IsAnd(Current) || IsOr(Current))
        {
            var isAnd = IsAnd(Current);
            position++;
            var right = ParseUnary();
            left = isAnd ? new AndNode(left, right) : new OrNode(left, right);
        }

        return left;
    }

    private FilterNode ParseUnary()
    {
        if (++nesting > MaxNesting)
        {
            throw Error(Current, $"the filter nests 'not' and parentheses more than {MaxNesting} deep", "simplify it");
        }

        try
        {
            if (IsNot(Current))
            {
                position++;
                return new NotNode(ParseUnary());
            }

            return ParsePrimary();
        }
        finally
        {
            nesting--;
        }
    }

    private FilterNode ParsePrimary()
    {
        var token = Current;
        if (token.Kind == FilterTokenKind.OpenParenthesis)
        {
            position++;
            var inner = ParseSequence();
            if (Current.Kind != FilterTokenKind.CloseParenthesis)
            {
                throw Error(
                    Current,
                    $"expected ')' to close the '(' at column {token.Column}, found {Current.Describe()}",
                    "add the missing ')'");
            }

            position++;
            return inner;
        }

        if (token.Kind == FilterTokenKind.Word)
        {
            return ParsePrimitive();
        }

        var after = position > 0 ? $" after {Previous.Describe()}" : string.Empty;
        throw Error(token, $"expected {Primitives}, 'not' or '('{after}, found {token.Describe()}", null);
    }

    private FilterNode ParsePrimitive()
    {
        var first = Current;
        if (++primitives > MaxPrimitives)
        {
            throw Error(first, $"the filter has more than {MaxPrimitives} primitives", "use 'net' or 'portrange' to cover many hosts or ports at once");
        }

        foreach (var word in UnsupportedWords)
        {
            if (first.Is(word))
            {
                throw Error(
                    first,
                    $"'{first.Text}' is not supported",
                    $"Linger's filters select TCP segments by {Primitives}, combined with and, or, not and parentheses");
            }
        }

        FilterProtocol? protocol = null;
        if (IsProtocolWord(Current))
        {
            protocol = Current.Is("tcp") ? FilterProtocol.Tcp : Current.Is("ip") ? FilterProtocol.Ip : FilterProtocol.Ip6;
            position++;
            if (!IsDirectionWord(Current) && !IsTypeWord(Current))
            {
                return new ProtocolNode(protocol.Value);
            }
        }

        if (!IsDirectionWord(Current) && !IsTypeWord(Current))
        {
            return ParseBareValue();
        }

        var direction = ParseDirection();
        var type = PrimitiveType.Host;
        FilterToken? typeToken = null;
        if (IsTypeWord(Current))
        {
            typeToken = Current;
            type = TypeOf(Current);
            position++;
        }

        var qualifiers = new Qualifiers(protocol, first, direction, type);
        var node = ParseValue(qualifiers, typeToken ?? Previous);
        lastQualifiers = qualifiers;
        return node;
    }

    private FilterNode ParseBareValue()
    {
        var token = Current;
        if (IsKeyword(token))
        {
            throw Error(token, $"expected {Primitives}, 'not' or '(', found {token.Describe()}", null);
        }

        if (lastQualifiers is { } inherited)
        {
            // tcpdump: "If an identifier is given without a keyword, the most recent keyword is assumed."
            return ParseValue(inherited, token);
        }

        // Like tcpdump, a value needs a keyword unless an earlier primitive supplies one.
        var lower = new FilterToken(token.Kind, token.Text.ToLowerInvariant(), token.Column);
        if (IsKeyword(lower) || Array.IndexOf(UnsupportedWords, lower.Text) >= 0)
        {
            throw Error(token, $"unknown word '{token.Text}'", $"keywords are lower case: write '{lower.Text}'");
        }

        var hint = ushort.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? $"did you mean 'port {token.Text}'?"
            : TryParseAddress(token.Text, out _)
                ? $"did you mean 'host {token.Text}'?"
                : $"a primitive is one of {Primitives}";
        throw Error(token, $"expected a primitive, found {token.Describe()}", hint);
    }

    private EndpointDirection ParseDirection()
    {
        if (!IsDirectionWord(Current))
        {
            return EndpointDirection.Either;
        }

        var first = Current;
        position++;
        var firstIsSource = first.Is("src");

        // "src or dst" and "src and dst" (either order) are qualifiers, not operators: a bare "src" cannot end a primitive.
        if ((IsOr(Current) || IsAnd(Current)) && tokens[position + 1].Is(firstIsSource ? "dst" : "src"))
        {
            var both = IsAnd(Current);
            position += 2;
            return both ? EndpointDirection.Both : EndpointDirection.Either;
        }

        return firstIsSource ? EndpointDirection.Source : EndpointDirection.Destination;
    }

    private static PrimitiveType TypeOf(FilterToken token) =>
        token.Is("host") ? PrimitiveType.Host
        : token.Is("net") ? PrimitiveType.Net
        : token.Is("port") ? PrimitiveType.Port
        : PrimitiveType.PortRange;

    private FilterNode ParseValue(Qualifiers qualifiers, FilterToken after)
    {
        var value = Current;
        if (value.Kind != FilterTokenKind.Word || IsKeyword(value))
        {
            throw qualifiers.Type switch
            {
                PrimitiveType.Port => Error(value, $"expected a port number after '{after.Text}'", "a number from 0 to 65535, e.g. 'port 443'"),
                PrimitiveType.PortRange => Error(value, $"expected a port range after '{after.Text}'", "two port numbers joined by '-', e.g. 'portrange 6000-6010'"),
                PrimitiveType.Net => Error(value, $"expected a network after '{after.Text}'", "an address with a prefix length, e.g. 'net 10.0.0.0/8' or 'net 2001:db8::/32'"),
                _ => Error(value, $"expected an IPv4 or IPv6 address after '{after.Text}'", "e.g. 'host 192.0.2.1' or 'host 2001:db8::1'"),
            };
        }

        position++;
        FilterNode node = qualifiers.Type switch
        {
            PrimitiveType.Port => ParsePort(qualifiers.Direction, value, after),
            PrimitiveType.PortRange => ParsePortRange(qualifiers.Direction, value, after),
            PrimitiveType.Net => new NetNode(qualifiers.Direction, ParseNetwork(value)),
            _ => new HostNode(qualifiers.Direction, ParseHost(value)),
        };

        return qualifiers.Protocol is { } protocol ? Qualify(protocol, qualifiers, node) : node;
    }

    private AndNode Qualify(FilterProtocol protocol, Qualifiers qualifiers, FilterNode node)
    {
        var family = node switch
        {
            HostNode host => (bool?)host.Address.IsV6,
            NetNode net => net.Prefix.Network.IsV6,
            _ => null,
        };

        if (protocol != FilterProtocol.Tcp && node is PortNode)
        {
            throw Error(
                qualifiers.First,
                $"'{ProtocolNode.Name(protocol)}' cannot qualify a port",
                $"write '{ProtocolNode.Name(protocol)} and {(qualifiers.Type == PrimitiveType.Port ? "port" : "portrange")} ...', as tcpdump requires");
        }

        if (protocol == FilterProtocol.Tcp && family is not null)
        {
            throw Error(
                qualifiers.First,
                "'tcp' cannot qualify a host or a net",
                "write 'tcp and host ...' (every packet Linger keeps is TCP anyway)");
        }

        if ((protocol == FilterProtocol.Ip && family == true) || (protocol == FilterProtocol.Ip6 && family == false))
        {
            throw Error(
                qualifiers.First,
                $"'{ProtocolNode.Name(protocol)}' does not match an {(family == true ? "IPv6" : "IPv4")} address",
                family == true ? "use 'ip6', or leave the qualifier out" : "use 'ip', or leave the qualifier out");
        }

        return new AndNode(new ProtocolNode(protocol), node);
    }

    private PortNode ParsePort(EndpointDirection direction, FilterToken token, FilterToken after)
    {
        var port = ParsePortNumber(token, token.Text, after);
        return new PortNode(direction, port, port);
    }

    private ushort ParsePortNumber(FilterToken token, string digits, FilterToken after)
    {
        if (!ushort.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw Error(
                token,
                $"expected a port number after '{after.Text}', found '{digits}'",
                "a number from 0 to 65535; service names such as 'http' are not supported");
        }

        return port;
    }

    private PortNode ParsePortRange(EndpointDirection direction, FilterToken token, FilterToken after)
    {
        var dash = token.Text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash == token.Text.Length - 1)
        {
            throw Error(
                token,
                $"expected a port range after '{after.Text}', found '{token.Text}'",
                "two port numbers joined by '-', e.g. 'portrange 6000-6010'");
        }

        var low = ParsePortNumber(token, token.Text[..dash], after);
        var high = ParsePortNumber(token, token.Text[(dash + 1)..], after);

        // pcap-filter accepts the ends in either order.
        return low <= high ? new PortNode(direction, low, high) : new PortNode(direction, high, low);
    }

    private IpAddress ParseHost(FilterToken token)
    {
        if (TryParseAddress(token.Text, out var address))
        {
            return address;
        }

        throw Error(
            token,
            $"expected an IPv4 or IPv6 address, found '{token.Text}'",
            token.Text.Contains('/', StringComparison.Ordinal)
                ? $"for a network write 'net {token.Text}'"
                : "write all four parts of an IPv4 address (192.0.2.1) or an IPv6 address (2001:db8::1); names are not resolved");
    }

    private IpPrefix ParseNetwork(FilterToken token)
    {
        var textValue = token.Text;
        var slash = textValue.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash >= 0 ? textValue[..slash] : textValue;
        int? length = null;

        IpAddress network;
        if (TryParseAddress(addressText, out var full))
        {
            network = full;
        }
        else if (TryParsePartialV4(addressText, out var partial, out var octets))
        {
            // tcpdump: "net 10.1" is the /16 network 10.1.0.0.
            network = partial;
            length = octets * 8;
        }
        else
        {
            throw Error(
                token,
                $"expected a network such as 10.0.0.0/8 or 2001:db8::/32, found '{textValue}'",
                "write the network address, '/', and the prefix length");
        }

        var maxLength = network.IsV6 ? 128 : 32;
        if (slash >= 0)
        {
            if (!int.TryParse(textValue[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                || parsed > maxLength)
            {
                throw Error(token, $"expected a prefix length from 0 to {maxLength} after '/', found '{textValue[(slash + 1)..]}'", null);
            }

            length = parsed;
            if (Current.Is("mask"))
            {
                throw Error(Current, $"'{textValue}' already has a prefix length", "give either '/LENGTH' or 'mask NETMASK', not both");
            }
        }
        else if (Current.Is("mask"))
        {
            var maskToken = Current;
            position++;
            if (network.IsV6)
            {
                throw Error(maskToken, "'mask' works only with IPv4 networks", "write an IPv6 network as 2001:db8::/32");
            }

            length = ParseMask(Current);
            position++;
        }

        var prefixLength = length ?? maxLength;
        if (!IpPrefix.HasOnlyNetworkBits(network, prefixLength))
        {
            throw Error(
                token,
                $"non-network bits set in '{textValue}'",
                $"did you mean 'host {addressText}', or the network's own address with /{prefixLength}?");
        }

        return new IpPrefix(network, prefixLength);
    }

    private int ParseMask(FilterToken token)
    {
        if (token.Kind != FilterTokenKind.Word || !TryParseAddress(token.Text, out var mask) || mask.IsV6)
        {
            throw Error(token, "expected an IPv4 netmask after 'mask'", "e.g. 'net 10.0.0.0 mask 255.0.0.0'");
        }

        var value = mask.V4;
        if (value == 0)
        {
            return 0;
        }

        var length = 32 - System.Numerics.BitOperations.TrailingZeroCount(value);

        if (IpPrefix.V4Mask(length) != value)
        {
            throw Error(token, $"'{token.Text}' is not a contiguous netmask", "a netmask is ones followed by zeros, e.g. 255.255.240.0");
        }

        return length;
    }

    private static bool TryParseAddress(string candidate, out IpAddress address)
    {
        address = default;
        if (candidate.Contains(':', StringComparison.Ordinal))
        {
            if (candidate.Contains('%', StringComparison.Ordinal)
                || !IPAddress.TryParse(candidate, out var v6)
                || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = IpAddress.From(v6);
            return true;
        }

        if (!TryParseOctets(candidate, out var value, out var count) || count != 4)
        {
            return false;
        }

        address = IpAddress.FromV4(value);
        return true;
    }

    private static bool TryParsePartialV4(string candidate, out IpAddress address, out int octets)
    {
        address = default;
        if (!TryParseOctets(candidate, out var value, out octets) || octets is < 1 or > 3)
        {
            return false;
        }

        address = IpAddress.FromV4(value << (8 * (4 - octets)));
        return true;
    }

    // Dotted decimal only: IPAddress.TryParse would also take "10.1" as 10.0.0.1 and hex or octal parts.
    private static bool TryParseOctets(string candidate, out uint value, out int count)
    {
        value = 0;
        count = 0;
        foreach (var part in candidate.Split('.'))
        {
            if (count == 4 || part.Length is 0 or > 3
                || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var octet))
            {
                return false;
            }

            value = (value << 8) | octet;
            count++;
        }

        return true;
    }

    private FilterSyntaxException Error(FilterToken token, string problem, string? hint) => new(text, token.Column, problem, hint);

    private readonly record struct Qualifiers(FilterProtocol? Protocol, FilterToken First, EndpointDirection Direction, PrimitiveType Type);
}
