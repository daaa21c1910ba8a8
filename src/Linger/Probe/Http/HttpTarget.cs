namespace Linger.Probe.Http;

/// <summary>An http or https URL taken apart: scheme, host, port and the path (with query) to request.</summary>
/// <param name="Url">The URL as given.</param>
/// <param name="IsHttps">True for https.</param>
/// <param name="Host">The host name or address (IPv6 without brackets).</param>
/// <param name="Port">The port (80 or 443 unless the URL names one).</param>
/// <param name="PathAndQuery">What goes in the request line: <c>/</c> at least.</param>
public sealed record HttpTarget(string Url, bool IsHttps, string Host, int Port, string PathAndQuery)
{
    /// <summary>The Host header: the port only when it is not the scheme's default.</summary>
    public string HostHeader
    {
        get
        {
            var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
            return Port == (IsHttps ? 443 : 80) ? host : $"{host}:{Port}";
        }
    }

    /// <summary>Parses <paramref name="url"/>.</summary>
    /// <exception cref="FormatException">Not an absolute http or https URL, or one with white space in it.</exception>
    public static HttpTarget Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Trim().Length == 0)
        {
            throw new FormatException("the URL is empty; give one like http://example.com/ or https://example.com:8443/path");
        }

        if (url.Any(char.IsWhiteSpace))
        {
            throw new FormatException($"the URL '{url}' contains white space (a stray space in the host name?); remove it");
        }

        if (!url.Contains("://", StringComparison.Ordinal))
        {
            throw new FormatException($"'{url}' has no scheme; write http://{url} or https://{url}");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new FormatException($"'{url}' is not a valid URL; write it like http://example.com/ or https://example.com:8443/path");
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new FormatException($"'{url}' is a {uri.Scheme} URL; the http probe speaks http and https");
        }

        if (uri.DnsSafeHost.Length == 0)
        {
            throw new FormatException($"'{url}' has no host");
        }

        return new HttpTarget(url, uri.Scheme == Uri.UriSchemeHttps, uri.DnsSafeHost, uri.Port, uri.PathAndQuery.Length == 0 ? "/" : uri.PathAndQuery);
    }
}
