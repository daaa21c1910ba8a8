using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Linger.Probe.Ftp;

/// <summary>
/// Reads where a server says it waits for the data connection: 227 (PASV, RFC 959) carries an IPv4 address and a
/// port as six numbers, 229 (EPSV, RFC 2428) a port alone between delimiters.
/// </summary>
public static partial class FtpPassiveReply
{
    /// <summary>
    /// The address and port of a 227 reply: <c>227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)</c>. The six numbers are
    /// searched anywhere in the text, because servers differ on the parentheses.
    /// </summary>
    public static bool TryParsePasv(string text, out IPEndPoint? endPoint)
    {
        ArgumentNullException.ThrowIfNull(text);
        endPoint = null;
        var match = SixNumbers().Match(text);
        if (!match.Success)
        {
            return false;
        }

        Span<byte> parts = stackalloc byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (!byte.TryParse(match.Groups[i + 1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out parts[i]))
            {
                return false;
            }
        }

        var port = (parts[4] << 8) | parts[5];
        if (port == 0)
        {
            return false;
        }

        endPoint = new IPEndPoint(new IPAddress(parts[..4]), port);
        return true;
    }

    /// <summary>The port of a 229 reply: <c>229 Entering Extended Passive Mode (|||6446|)</c>, any delimiter.</summary>
    public static bool TryParseEpsv(string text, out int port)
    {
        ArgumentNullException.ThrowIfNull(text);
        port = 0;
        var match = ExtendedPort().Match(text);
        return match.Success
            && int.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            && port is > 0 and <= 65535;
    }

    [GeneratedRegex(@"(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SixNumbers();

    [GeneratedRegex(@"\(([!-~])\1\1(\d{1,5})\1\)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ExtendedPort();
}
