using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Linger.Probe;

/// <summary>
/// The <c>resolve</c> stage every probe starts with: a host name with stray spaces or characters no host name can
/// hold is caught before anything else (a classic cause of "cannot connect" in mail and FTP clients); otherwise every
/// A and AAAA answer is listed with the time the lookup took.
/// </summary>
public static class TargetResolver
{
    /// <summary>Resolves <paramref name="host"/>; an empty list when the stage failed (the session says why).</summary>
    public static async Task<IReadOnlyList<IPAddress>> ResolveAsync(ProbeSession session, string host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(host);
        var started = session.ElapsedMs;
        if (host != host.Trim() || host.Any(char.IsWhiteSpace))
        {
            session.Stage("resolve", false, started, error: ProbeError.Of($"the host name '{host}' contains spaces"));
            session.Find("host-has-spaces", "resolve", $"The host name \"{host}\" contains white space; no DNS name can, so the client would look up a name that does not exist.", "wrong-host-name", null);
            return [];
        }

        if (IPAddress.TryParse(host, out var literal))
        {
            session.Info($"{host} is an address; nothing to resolve");
            session.Stage("resolve", true, started, received: literal.ToString());
            return [literal];
        }

        if (host.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_')))
        {
            session.Stage("resolve", false, started, error: ProbeError.Of($"'{host}' is not a valid host name"));
            session.Find("host-name-invalid", "resolve", $"\"{host}\" holds characters a host name cannot have (only letters, digits, '-' and '.').", "wrong-host-name", null);
            return [];
        }

        session.Info($"resolving {host}");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cts.Token).ConfigureAwait(false);
            var ms = clock.Elapsed.TotalMilliseconds;
            foreach (var address in addresses)
            {
                session.Info(string.Create(CultureInfo.InvariantCulture, $"{host} has {(address.AddressFamily == AddressFamily.InterNetworkV6 ? "AAAA" : "A")} {address} ({ms:0.0} ms)"));
            }

            session.Stage("resolve", addresses.Length > 0, started, received: string.Join(", ", addresses.Select(a => a.ToString())),
                error: addresses.Length == 0 ? ProbeError.Of($"{host} has no addresses") : null);
            return addresses;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            session.Stage("resolve", false, started, error: ProbeError.Of(string.Create(CultureInfo.InvariantCulture, $"no DNS answer within {timeout.TotalSeconds:0.#} s")));
            session.Find("dns-timeout", "resolve", $"The lookup of {host} got no answer in time.", "dns-unavailable", null);
            return [];
        }
        catch (SocketException e)
        {
            session.Stage("resolve", false, started, error: ProbeError.From(e));
            session.Find("name-not-found", "resolve", $"{host} does not resolve: {e.Message}.", e.SocketErrorCode == SocketError.TryAgain ? "dns-unavailable" : "wrong-host-name", e.SocketErrorCode == SocketError.HostNotFound ? "11001" : null);
            return [];
        }
    }
}
