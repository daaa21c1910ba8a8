using System.Globalization;
using System.Net;

namespace Linger.Probe.Smtp;

/// <summary>
/// <c>linger probe smtp</c>: resolve, connect, greeting, EHLO, TLS (implicit on 465, STARTTLS elsewhere), optionally
/// AUTH and a real test message, recording where the conversation breaks and why. A TLS mode that does not match the
/// port is confirmed on a second connection before it is reported, so every finding is something the wire showed.
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
        ProbeError? last = null;
        var timedOut = false;
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, _options.Target.Port);
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
                timedOut = true;
                last = ProbeError.Of(string.Create(CultureInfo.InvariantCulture, $"no answer from {endPoint} within {_options.Timeout.TotalSeconds:0.#} s"));
                session.Error(last.Message);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                last = ProbeError.From(e);
                session.Error($"{endPoint}: {e.Message}");
            }
        }

        session.Stage("connect", false, started, error: last);
        var port = _options.Target.Port;
        if (timedOut)
        {
            session.Find("connect-timeout", "connect", $"Nothing answered the connection to port {port}: the packets were dropped on the way.", port == 25 ? "isp-blocks-port-25" : "firewall-drop", "10060");
        }
        else if (last?.SocketError == System.Net.Sockets.SocketError.ConnectionRefused)
        {
            session.Find("connect-refused", "connect", $"The connection to port {port} was refused: no mail server listens there, or a firewall rejects it.", "nothing-listening", "10061");
        }

        return (null, null);
    }
}
