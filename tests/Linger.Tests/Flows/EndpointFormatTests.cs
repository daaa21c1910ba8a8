using System.Globalization;
using System.Net;
using Linger.Flows;
using Linger.Wire;

namespace Linger.Tests.Flows;

/// <summary>An endpoint written into a span reads as the text the BCL gives for the address, with its port.</summary>
public sealed class EndpointFormatTests
{
    [Theory]
    [InlineData("192.0.2.7", 443, "192.0.2.7:443")]
    [InlineData("0.0.0.0", 0, "0.0.0.0:0")]
    [InlineData("2001:db8::a00:4f5", 51757, "[2001:db8::a00:4f5]:51757")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")]
    public void An_endpoint_formats_as_address_and_port(string address, ushort port, string expected)
    {
        var endpoint = new Endpoint(IpAddress.From(IPAddress.Parse(address)), port);
        Span<char> text = stackalloc char[64];

        Assert.True(endpoint.TryFormat(text, out var n, default, CultureInfo.InvariantCulture));
        Assert.Equal(expected, text[..n].ToString());
        Assert.Equal(expected, endpoint.ToString());
    }

    [Fact]
    public void A_span_too_small_for_the_port_is_refused()
    {
        var endpoint = new Endpoint(IpAddress.From(IPAddress.Parse("192.0.2.7")), 443);
        Span<char> text = stackalloc char[12];

        Assert.False(endpoint.TryFormat(text, out var n, default, CultureInfo.InvariantCulture));
        Assert.Equal(0, n);
    }
}
