using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Linger.Probe.Tcp;

namespace Linger.Probe.Smtp;

/// <summary>
/// <c>linger probe smtp</c>: resolve, connect, greeting, EHLO, TLS (implicit on 465, STARTTLS elsewhere), optionally
/// AUTH and a real test message, recording where the conversation breaks and why. A TLS mode that does not match the
/// port is confirmed on a second connection before it is reported, and a provider's block of port 25 is named only when
/// the same server's submission ports connect, so every finding is something the wire showed.
/// </summary>
public sealed class SmtpProbe
{
    private readonly SmtpProbeOptions _options;

    /// <summary>A probe with <paramref name="options"/>.</summary>
    public SmtpProbe(SmtpProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Runs the probe, recording into <paramref name="session"/>, and returns its report.</summary>
    public async Task<ProbeReport> RunAsync(ProbeSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (_options.Password is { } password)
        {
            session.AddSecret(password, _options.User);
        }

        var addresses = await TargetResolver.ResolveAsync(session, _options.Target.Host, _options.Timeout, cancellationToken).ConfigureAwait(false);
        if (addresses.Count == 0)
        {
            return session.Report();
        }

        var (connection, endPoint) = await ConnectAsync(session, addresses, cancellationToken).ConfigureAwait(false);
        if (connection is null || endPoint is null)
        {
            return session.Report();
        }

        await using (connection.ConfigureAwait(false))
        {
            await new SmtpConversation(session, _options, connection, endPoint).RunAsync(cancellationToken).ConfigureAwait(false);
        }

        return session.Report();
    }

    private async Task<(LineConnection? Connection, IPEndPoint? EndPoint)> ConnectAsync(ProbeSession session, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        var started = session.ElapsedMs;
        var (endPoint, outcome, error) = (default(IPEndPoint), ConnectOutcome.Other, default(ProbeError));
        foreach (var address in addresses)
        {
            endPoint = new IPEndPoint(address, _options.Target.Port);
            session.Info($"connecting to {endPoint}");
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(_options.Timeout);
            try
            {
                var connection = await LineConnection.ConnectAsync(session, endPoint, cts.Token).ConfigureAwait(false);
                session.Stage("connect", true, started, received: $"connected to {endPoint}");
                return (connection, endPoint);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                (outcome, error) = (ConnectOutcome.TimedOut, ProbeError.Of(string.Create(CultureInfo.InvariantCulture, $"no answer from {endPoint} within {_options.Timeout.TotalSeconds:0.#} s")));
                session.Error(error.Message);
            }
            catch (SocketException e)
            {
                (outcome, error) = (ConnectOutcomes.Of(e.SocketErrorCode), ProbeError.From(e));
                session.Error($"{endPoint}: {e.Message}");
            }
        }

        session.Stage("connect", false, started, error: error);
        if (endPoint is not null && !await Port25BlockedAsync(session, endPoint, outcome, cancellationToken).ConfigureAwait(false))
        {
            TcpProbe.FindConnectFailure(session, endPoint, outcome, error, _options.Timeout);
        }

        return (null, null);
    }

    /// <summary>
    /// Port 25 failed: when the same server takes connections on a submission port, the block is on port 25 alone, as
    /// providers block it for home and mobile lines. Reports it and returns true; false when the evidence is not there.
    /// </summary>
    private async Task<bool> Port25BlockedAsync(ProbeSession session, IPEndPoint endPoint, ConnectOutcome outcome, CancellationToken cancellationToken)
    {
        if (endPoint.Port != 25 || outcome is not (ConnectOutcome.TimedOut or ConnectOutcome.Refused or ConnectOutcome.Reset))
        {
            return false;
        }

        var open = await SubmissionPorts.OpenAsync(session, endPoint.Address, _options.Timeout, cancellationToken).ConfigureAwait(false);
        if (open.Count == 0)
        {
            return false;
        }

        var accepted = $"while the same server accepted connections on {(open.Count == 1 ? "port" : "ports")} {string.Join(" and ", open)}";
        if (outcome == ConnectOutcome.TimedOut)
        {
            session.Find("port-25-blocked", "connect", $"The connection to {endPoint} got no answer, {accepted}: port 25 alone is blocked on the way.", "isp-blocks-port-25", "10060");
        }
        else
        {
            // A reset on port 25 alone is also what a server that takes submissions only (nothing on 25) answers.
            CauseChoice.Find(session, "port-25-blocked", "connect",
                $"The connection to {endPoint} was {ConnectOutcomes.Describe(outcome)}, {accepted}: port 25 alone is blocked on the way, or nothing listens on it.",
                "isp-blocks-port-25", "nothing-listening", outcome == ConnectOutcome.Refused ? "10061" : "10054");
        }

        return true;
    }
}
