using System.Globalization;
using System.Text;
using Linger.Cli.Analyze;
using Linger.Flows;
using Linger.Wire;

namespace Linger.Tests.Cli;

/// <summary>
/// The byte formatters behind the table, JSON Lines and Zeek output write the same text as the BCL's
/// <c>ToString</c>, so replacing strings by bytes changed no output.
/// </summary>
public sealed class AsciiTextTests
{
    [Fact]
    public void Numbers_match_ToString_at_every_digit_count_boundary_and_at_random()
    {
        var values = new List<long> { 0, long.MaxValue, long.MinValue, -1, -10 };
        for (var p = 1L; p > 0 && p <= long.MaxValue / 10; p *= 10)
        {
            values.AddRange([p - 1, p, p + 1, (p * 10) - 1]);
        }

        var random = new Random(5);
        for (var i = 0; i < 10_000; i++)
        {
            values.Add(random.NextInt64() >> random.Next(64));
        }

        Span<byte> buffer = stackalloc byte[32];
        foreach (var v in values)
        {
            var n = AsciiText.Number(v, buffer);
            Assert.Equal(v.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer[..n]));
            if (v >= 0)
            {
                Assert.Equal(n, AsciiText.CountDigits((ulong)v));
            }
        }

        Assert.Equal(20, AsciiText.Digits(ulong.MaxValue, buffer));
        Assert.Equal(ulong.MaxValue.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer[..20]));
    }

    [Theory]
    [InlineData(0, 6)]
    [InlineData(7, 6)]
    [InlineData(123_456, 6)]
    [InlineData(999_999, 6)]
    [InlineData(40_500, 6)]
    [InlineData(5, 1)]
    [InlineData(12, 3)]
    public void Padded_digits_match_ToString_with_leading_zeros(int value, int count)
    {
        Span<byte> buffer = stackalloc byte[8];
        Assert.Equal(count, AsciiText.PaddedDigits(value, count, buffer));
        Assert.Equal(value.ToString("D" + count.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer[..count]));
    }

    [Theory]
    [InlineData("0.0.0.0", 0)]
    [InlineData("255.255.255.255", 65535)]
    [InlineData("192.0.2.1", 80)]
    [InlineData("10.100.9.99", 5)]
    [InlineData("2001:db8::1", 443)]
    [InlineData("::ffff:192.0.2.7", 8080)]
    [InlineData("::", 1)]
    [InlineData("fe80:1234:5678:9abc:def0:1234:5678:9abc", 65535)]
    public void Endpoints_and_addresses_match_ToString(string address, int port)
    {
        var endpoint = new Endpoint(IpAddress.From(System.Net.IPAddress.Parse(address)), (ushort)port);
        var buffer = new byte[AsciiText.MaxEndpoint + 16];

        var n = AsciiText.Endpoint(endpoint, buffer);
        Assert.Equal(endpoint.ToString(), Encoding.ASCII.GetString(buffer, 0, n));

        n = AsciiText.Address(endpoint.Address, buffer);
        Assert.Equal(endpoint.Address.ToString(), Encoding.ASCII.GetString(buffer, 0, n));

        // A destination just big enough, with no room past the text, gets the same.
        var exact = new byte[endpoint.ToString().Length];
        Assert.Equal(exact.Length, AsciiText.Endpoint(endpoint, exact));
        Assert.Equal(endpoint.ToString(), Encoding.ASCII.GetString(exact));
    }

    [Fact]
    public void Every_IPv4_octet_is_written_as_ToString_writes_it()
    {
        var buffer = new byte[32];
        for (var octet = 0u; octet < 256; octet++)
        {
            var address = IpAddress.FromV4((octet << 24) | (octet << 8) | 7);
            var n = AsciiText.Address(address, buffer);
            Assert.Equal(address.ToString(), Encoding.ASCII.GetString(buffer, 0, n));
        }
    }

    [Fact]
    public void Zeek_times_match_the_double_they_were_formatted_from()
    {
        var values = new List<long> { 0, 999, -999, -1000, -1_500_000_123, 1, 1_000, 999_999_999, 1_000_000_000, long.MaxValue, long.MinValue };
        values.AddRange([8_000_000_000_000_000_000 - 1000, 8_000_000_000_000_000_000, 8_589_934_592_000_000_000]);
        var random = new Random(11);
        for (var i = 0; i < 20_000; i++)
        {
            values.Add(random.NextInt64(0, 4_000_000_000_000_000_000));
            values.Add(random.NextInt64(0, 10_000_000_000_000));
        }

        var buffer = new byte[64];
        foreach (var ns in values)
        {
            var n = ZeekConnLogWriter.Seconds(ns, buffer);
            Assert.Equal((ns / 1_000 / 1e6).ToString("F6", CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer, 0, n));
        }
    }
}
