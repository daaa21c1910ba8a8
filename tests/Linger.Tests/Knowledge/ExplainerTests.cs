using Linger.Knowledge;

namespace Linger.Tests.Knowledge;

/// <summary>Every input form the explainer accepts, and what it must find for each.</summary>
public sealed class ExplainerTests
{
    private readonly Explainer _explainer = new(KnowledgeBase.Default);

    private Reading Top(string input)
    {
        var e = _explainer.Explain(input);
        Assert.True(e.Found, $"nothing found for '{input}'");
        return e.Readings[0];
    }

    private IReadOnlyList<string> Ids(string input) => [.. _explainer.Explain(input).Readings.Select(r => r.Entry.Id)];

    [Theory]
    [InlineData("10054", "winsock.10054")]
    [InlineData("10053", "winsock.10053")]
    [InlineData("0x2746", "winsock.10054")]
    [InlineData("2746h", "winsock.10054")]
    [InlineData("0x800CCC0E", "outlook.0x800CCC0E")]
    [InlineData("0x800ccc0e", "outlook.0x800CCC0E")]
    [InlineData("-2146644978", "outlook.0x800CCC0E")]
    [InlineData("0x80072746", "winsock.10054")]
    [InlineData("11001", "winsock.11001")]
    [InlineData("995", "overlapped.995")]
    public void Numbers_in_any_base_find_their_code(string input, string expected) =>
        Assert.Equal(expected, Top(input).Entry.Id);

    [Theory]
    [InlineData("WSAECONNRESET", "winsock.10054")]
    [InlineData("wsaeconnreset", "winsock.10054")]
    [InlineData("ECONNRESET", "errno.ECONNRESET")]
    [InlineData("EPIPE", "errno.EPIPE")]
    [InlineData("EWOULDBLOCK", "errno.EAGAIN")]
    [InlineData("ConnectionReset", "dotnet.ConnectionReset")]
    [InlineData("SocketError.Shutdown", "dotnet.Shutdown")]
    [InlineData("IXP_E_FAILED_TO_CONNECT", "outlook.0x800CCC0E")]
    [InlineData("CURLE_COULDNT_CONNECT", "curl.7")]
    public void Symbolic_names_find_their_entry(string input, string expected) =>
        Assert.Equal(expected, Top(input).Entry.Id);

    [Fact]
    public void Number_104_reads_as_Linux_ECONNRESET()
    {
        var top = Top("104");
        Assert.Equal("errno.ECONNRESET", top.Entry.Id);
        Assert.Contains(OsPlatform.Linux, top.Platforms);
    }

    [Fact]
    public void Number_54_reads_as_macOS_ECONNRESET()
    {
        var e = _explainer.Explain("54");
        var reset = Assert.Single(e.Readings, r => r.Entry.Id == "errno.ECONNRESET");
        Assert.Equal([OsPlatform.MacOS], reset.Platforms);
        Assert.Contains(reset.Why, w => w.Key == "macos-errno");
    }

    [Fact]
    public void Number_421_lists_both_the_FTP_and_the_SMTP_reading_with_reasons()
    {
        var e = _explainer.Explain("421");
        Assert.Contains(e.Readings, r => r.Entry.Id == "ftp.421" && r.Why.Any(w => w.Key == "ftp-reply"));
        Assert.Contains(e.Readings, r => r.Entry.Id == "smtp.421" && r.Why.Any(w => w.Key == "smtp-reply"));
    }

    [Fact]
    public void Number_10054_also_reads_as_the_dotnet_SocketError_value_below_WinSock()
    {
        var ids = Ids("10054");
        Assert.Equal("winsock.10054", ids[0]);
        Assert.Contains("dotnet.ConnectionReset", ids);
    }

    [Fact]
    public void Hex_input_says_which_decimal_it_stands_for()
    {
        var top = Top("0x2746");
        Assert.Contains(top.Why, w => w.Key == "hex" && w.Args.Contains("10054"));
    }

    [Fact]
    public void Mail_context_puts_the_SMTP_reading_of_421_first()
    {
        Assert.Equal("smtp.421", Top("<- 421 4.7.0 mx.example.net Too many connections from your host, closing transmission channel (SMTP)").Entry.Id);
    }

    [Fact]
    public void FTP_context_puts_the_FTP_reading_of_421_first()
    {
        Assert.Equal("ftp.421", Top("Response:\t421 There are too many connections from your internet address. (FileZilla FTP)").Entry.Id);
    }

    [Fact]
    public void Enhanced_status_code_reads_as_its_detail_and_class()
    {
        var ids = Ids("5.7.1");
        Assert.Contains("smtp.x.7.1", ids);
        Assert.Contains("smtp.class.5", ids);
    }

    [Theory]
    [InlineData("An existing connection was forcibly closed by the remote host", "winsock.10054")]
    [InlineData("Unhandled exception. System.Net.Sockets.SocketException (10054): An existing connection was forcibly closed by the remote host.", "winsock.10054")]
    [InlineData("System.IO.IOException: Unable to write data to the transport connection: An established connection was aborted by the software in your host machine.", "winsock.10053")]
    [InlineData("Task 'smtp.example.com - Sending' reported error (0x800CCC0E) : 'Cannot connect to the server. Verify the server name and port number.'", "outlook.0x800CCC0E")]
    [InlineData("The connection to the server was interrupted. Account: 'mail', Server: 'smtp.example.com', Protocol: SMTP, Port: 25, Secure(SSL): No, Socket Error: 10053, Error Number: 0x800CCC0F", "outlook.0x800CCC0F")]
    [InlineData("Error:\tECONNRESET - Connection reset by peer\nError:\tFailed to retrieve directory listing", "program.filezilla-econnreset")]
    [InlineData("Exception in thread \"main\" java.net.SocketException: Connection reset\n\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:328)", "program.java-connection-reset")]
    [InlineData("curl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server", "curl.7")]
    [InlineData("curl: (56) Recv failure: Connection reset by peer", "curl.56")]
    [InlineData("error:0A00010B:SSL routines::wrong version number", "program.openssl-wrong-version-number")]
    [InlineData("Response:\t425 Can't open data connection.", "ftp.425")]
    [InlineData("sendmail: 554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org", "smtp.554")]
    public void Pasted_lines_find_the_code_or_message_inside(string line, string expected) =>
        Assert.Equal(expected, Top(line).Entry.Id);

    [Theory]
    [InlineData("Traceback (most recent call last):\n  File \"client.py\", line 12, in <module>\nConnectionResetError: [Errno 104] Connection reset by peer", "errno.ECONNRESET")]
    [InlineData("ConnectionResetError: [WinError 10054] An existing connection was forcibly closed by the remote host", "winsock.10054")]
    [InlineData("BrokenPipeError: [Errno 32] Broken pipe", "errno.EPIPE")]
    [InlineData("2026/11/21 10:04:05 read tcp 10.0.0.2:51234->10.0.0.1:443: read: connection reset by peer", "errno.ECONNRESET")]
    [InlineData("dial tcp 127.0.0.1:5432: connect: connection refused", "errno.ECONNREFUSED")]
    [InlineData("Outlook: socket error 10061", "winsock.10061")]
    public void Pasted_lines_lead_to_the_underlying_condition(string line, string expectedEntryOrRelated)
    {
        // The top reading is the program's own entry or the code itself; either way the condition must be among the readings.
        var e = _explainer.Explain(line);
        Assert.True(e.Found);
        Assert.Contains(e.Readings.Take(4), r => r.Entry.Id == expectedEntryOrRelated || r.Entry.Related.Contains(expectedEntryOrRelated));
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("ECONNRESTE")]
    [InlineData("12345678")]
    public void Nonsense_finds_nothing_and_suggests_near_names(string input)
    {
        var e = _explainer.Explain(input);
        Assert.False(e.Found);
        Assert.NotEmpty(e.Suggestions);
    }

    [Fact]
    public void A_misspelt_name_suggests_the_right_one_first()
    {
        Assert.Equal("ECONNRESET", _explainer.Explain("ECONNRESTE").Suggestions[0]);
    }

    [Fact]
    public void Every_reading_says_why()
    {
        foreach (var input in new[] { "10054", "104", "421", "ECONNRESET", "curl: (28) Operation timed out" })
        {
            Assert.All(_explainer.Explain(input).Readings, r => Assert.NotEmpty(r.Why));
        }
    }

    [Theory]
    [InlineData("[Errno 111] Connection refused")]
    [InlineData("curl: (28) Operation timed out after 30001 milliseconds with 0 bytes received")]
    [InlineData("Socket Error: 10053, Error Number: 0x800CCC0F")]
    public void Reasons_are_not_repeated(string input)
    {
        Assert.All(_explainer.Explain(input).Readings, r => Assert.Equal(r.Why.Count, r.Why.Distinct().Count()));
    }
}
