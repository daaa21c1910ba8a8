using System.Net;
using Linger.Probe.Ftp;

namespace Linger.Tests.Probe;

/// <summary>Reading 227 and 229 replies as servers really write them, and judging the address 227 announces.</summary>
public sealed class FtpPassiveReplyTests
{
    [Theory]
    [InlineData("Entering Passive Mode (192,168,1,20,156,64).", "192.168.1.20", 40000)]
    [InlineData("Entering Passive Mode 10,0,0,5,4,1", "10.0.0.5", 1025)]
    [InlineData("=127,0,0,1,255,255", "127.0.0.1", 65535)]
    public void A_227_reply_gives_its_address_and_port(string text, string address, int port)
    {
        Assert.True(FtpPassiveReply.TryParsePasv(text, out var endPoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endPoint);
    }

    [Theory]
    [InlineData("Entering Passive Mode (192,168,1,256,1,1)")]
    [InlineData("Entering Passive Mode (192,168,1)")]
    [InlineData("Entering Passive Mode (1,2,3,4,0,0)")]
    public void A_227_reply_without_a_valid_address_and_port_is_refused(string text) =>
        Assert.False(FtpPassiveReply.TryParsePasv(text, out _));

    [Theory]
    [InlineData("Entering Extended Passive Mode (|||6446|)", 6446)]
    [InlineData("Entering Extended Passive Mode (!!!21000!)", 21000)]
    public void A_229_reply_gives_its_port_whatever_the_delimiter(string text, int port)
    {
        Assert.True(FtpPassiveReply.TryParseEpsv(text, out var parsed));
        Assert.Equal(port, parsed);
    }

    [Theory]
    [InlineData("Entering Extended Passive Mode (|||70000|)")]
    [InlineData("Entering Extended Passive Mode (||6446|)")]
    public void A_229_reply_without_a_valid_port_is_refused(string text) => Assert.False(FtpPassiveReply.TryParseEpsv(text, out _));

    [Theory]
    [InlineData("10.255.255.1", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.0.10", true)]
    [InlineData("100.64.1.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("169.254.3.4", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("fd00::1", true)]
    [InlineData("2001:4860::8888", false)]
    public void Private_and_unroutable_addresses_are_told_from_public_ones(string address, bool privateOrUnroutable) =>
        Assert.Equal(privateOrUnroutable, AddressScope.IsPrivateOrUnroutable(IPAddress.Parse(address)));
}
