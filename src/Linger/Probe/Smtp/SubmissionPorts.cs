using System.Net;
using Linger.Probe.Tcp;

namespace Linger.Probe.Smtp;

/// <summary>
/// Whether a mail server takes connections on its submission ports (587 with STARTTLS, 465 with implicit TLS): the
/// evidence that tells a block of port 25 alone (a provider's anti-spam policy) from a server that is down or
/// firewalled as a whole.
/// </summary>
internal static class SubmissionPorts
{
    /// <summary>The ports a mail client submits on (RFC 6409, RFC 8314).</summary>
    public static IReadOnlyList<int> Ports { get; } = [587, 465];

    /// <summary>The submission ports of <paramref name="address"/> that accepted a connection within <paramref name="timeout"/>.</summary>
    public static async Task<IReadOnlyList<int>> OpenAsync(ProbeSession session, IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        session.Info($"checking whether {address} takes connections on the submission ports {string.Join(" and ", Ports)}");
        var checks = Ports.Select(async port =>
        {
            var (socket, outcome, _) = await TcpProbe.ConnectAsync(new IPEndPoint(address, port), timeout, cancellationToken).ConfigureAwait(false);
            socket?.Dispose();
            return (Port: port, Outcome: outcome);
        });
        var open = new List<int>();
        foreach (var (port, outcome) in await Task.WhenAll(checks).ConfigureAwait(false))
        {
            session.Info($"port {port}: {(outcome == ConnectOutcome.Ok ? "connected" : ConnectOutcomes.Describe(outcome))}");
            if (outcome == ConnectOutcome.Ok)
            {
                open.Add(port);
            }
        }

        return open;
    }
}
