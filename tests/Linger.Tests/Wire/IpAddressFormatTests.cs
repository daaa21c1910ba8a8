using System.Net;
using Linger.Wire;

namespace Linger.Tests.Wire;

/// <summary>
/// Addresses written into a span read exactly as the BCL's <see cref="IPAddress"/> writes them (RFC 5952 for IPv6),
/// across many addresses shaped to hit every rule: runs of zero groups of each length and place, ties between runs,
/// single zero groups, and IPv4 inside IPv6.
/// </summary>
public sealed class IpAddressFormatTests
{
    [Theory]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("1::")]
    [InlineData("2001:db8::1:0:0:1")]
    [InlineData("2001:0:0:1::1")]
    [InlineData("2001:db8:0:1:1:1:1:1")]
    [InlineData("fe80::1ff:fe23:4567:890a")]
    [InlineData("::ffff:192.0.2.1")]
    [InlineData("::192.0.2.1")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void A_known_address_is_written_as_the_BCL_writes_it(string text) =>
        Assert.Equal(IPAddress.Parse(text).ToString(), Format(IpAddress.From(IPAddress.Parse(text))));

    [Fact]
    public void Many_addresses_with_zero_groups_anywhere_are_written_as_the_BCL_writes_them()
    {
        var random = new Random(5952);
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 20_000; i++)
        {
            // Each group is zero half the time, so runs of zeros of every length land everywhere.
            for (var g = 0; g < 8; g++)
            {
                var value = random.Next(2) == 0 ? 0 : random.Next(1, 0x10000) >> random.Next(0, 16);
                bytes[2 * g] = (byte)(value >> 8);
                bytes[(2 * g) + 1] = (byte)value;
            }

            var bcl = new IPAddress(bytes);
            Assert.Equal(bcl.ToString(), Format(IpAddress.FromV6(bytes)));
        }
    }

    [Fact]
    public void A_span_too_small_is_refused()
    {
        var address = IpAddress.From(IPAddress.Parse("2001:db8:1:2:3:4:5:6"));
        Span<char> text = stackalloc char[20];

        Assert.False(address.TryFormat(text, out var n));
        Assert.Equal(0, n);
    }

    private static string Format(IpAddress address)
    {
        Span<char> text = stackalloc char[64];
        Assert.True(address.TryFormat(text, out var n));
        return text[..n].ToString();
    }
}
