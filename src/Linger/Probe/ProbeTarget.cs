using System.Globalization;

namespace Linger.Probe;

/// <summary>A host and port as the user typed them: <c>host</c>, <c>host:port</c>, <c>[v6]:port</c>, <c>v6</c>.</summary>
/// <param name="Host">The host name or address, exactly as typed between the separators (spaces kept: they are evidence).</param>
/// <param name="Port">The port.</param>
public sealed record ProbeTarget(string Host, int Port)
{
    /// <summary>Parses <paramref name="text"/>; <paramref name="defaultPort"/> when it has no port.</summary>
    /// <exception cref="FormatException">An empty host, a bad port, an unclosed bracket.</exception>
    public static ProbeTarget Parse(string text, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Length == 0)
        {
            throw new FormatException("the target is empty; give a host name or address, optionally with :port");
        }

        string host;
        string? port = null;
        if (text.TrimStart().StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"'{text}' opens '[' for an IPv6 address but never closes it; write [2001:db8::1]:25");
            }

            host = text[(text.IndexOf('[', StringComparison.Ordinal) + 1)..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                port = rest.StartsWith(':') ? rest[1..] : throw new FormatException($"unexpected '{rest}' after ']' in '{text}'; write [address]:port");
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            port = text[(colon + 1)..];
        }
        else
        {
            host = text; // no colon, or a bare IPv6 address
        }

        var number = defaultPort;
        if (port is not null && (!int.TryParse(port.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
        {
            throw new FormatException($"'{port}' in '{text}' is not a port (1-65535)");
        }

        if (host.Trim().Length == 0)
        {
            throw new FormatException($"'{text}' has no host before the port");
        }

        return new ProbeTarget(host, number);
    }

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
