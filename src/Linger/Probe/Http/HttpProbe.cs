using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Linger.Probe.Tcp;

namespace Linger.Probe.Http;

/// <summary>
/// <c>linger probe http</c>: resolve, connect, TLS for https, one HTTP/1.1 request with <c>Connection: close</c>, and
/// the response. With a body, the response is read while the body is still going out, so a server that answers
/// early (400, 413) and closes is heard even though the send then fails: both are reported.
/// </summary>
public sealed class HttpProbe(HttpProbeOptions options)
{
    private const int ChunkBytes = 64 * 1024;
    private const int MaxHeaders = 200;
    private const long MaxResponseBodyRead = 64L * 1024 * 1024;

    /// <summary>Runs the probe, recording into <paramref name="session"/>.</summary>
    public async Task<ProbeReport> RunAsync(ProbeSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var target = options.Target;
        var addresses = await TargetResolver.ResolveAsync(session, target.Host, options.StepTimeout, cancellationToken).ConfigureAwait(false);
        if (addresses.Count == 0)
        {
            return session.Report();
        }

        var connection = await ConnectAsync(session, addresses, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return session.Report();
        }

        await using (connection.ConfigureAwait(false))
        {
            if (target.IsHttps && !await TlsAsync(session, connection, cancellationToken).ConfigureAwait(false))
            {
                return session.Report();
            }

            await ExchangeAsync(session, connection, cancellationToken).ConfigureAwait(false);
        }

        return session.Report();
    }

    private async Task<LineConnection?> ConnectAsync(ProbeSession session, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        foreach (var address in addresses.Take(16))
        {
            var endPoint = new IPEndPoint(address, options.Target.Port);
            LineConnection? connection = null;
            session.Info($"connecting to {endPoint}");
            var stage = await session.RunStageAsync("connect", options.StepTimeout, async ct =>
            {
                connection = await LineConnection.ConnectAsync(session, endPoint, ct).ConfigureAwait(false);
                return StageOutcome.Pass(received: $"{endPoint} connected from {connection.Socket.LocalEndPoint}");
            }, cancellationToken).ConfigureAwait(false);
            if (connection is not null)
            {
                return connection;
            }

            var outcome = stage.Error?.SocketError is { } error ? ConnectOutcomes.Of(error) : ConnectOutcome.TimedOut;
            TcpProbe.FindConnectFailure(session, endPoint, outcome, stage.Error, options.StepTimeout);
        }

        return null;
    }

    private async Task<bool> TlsAsync(ProbeSession session, LineConnection connection, CancellationToken cancellationToken)
    {
        var stage = await session.RunStageAsync("tls", options.StepTimeout, async ct =>
        {
            await connection.StartTlsAsync(options.Target.Host, options.Insecure, ct).ConfigureAwait(false);
            return StageOutcome.Pass(received: connection.TlsDescription);
        }, cancellationToken).ConfigureAwait(false);
        if (connection.CertificateProblem is { } problem)
        {
            session.Find(new Finding(
                "certificate-not-trusted",
                "tls",
                $"The certificate of {options.Target.Host} is not trusted: {problem}." + (options.Insecure ? " The probe went on because of --insecure; a normal client stops here." : string.Empty),
                "The server presents a self-signed or expired certificate, one issued for another name, or one whose issuer this machine does not trust.",
                "Install a certificate for this host name from a certificate authority the clients trust (or add the issuing CA to the clients' trust store). Use --insecure only to look past the problem, never as the fix.",
                null));
        }

        return stage.Ok;
    }

    private async Task ExchangeAsync(ProbeSession session, LineConnection connection, CancellationToken cancellationToken)
    {
        var target = options.Target;
        var body = options.BodyBytes;
        using var responseTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        responseTimeout.CancelAfter(options.TransferTimeout * 2);
        Task<ResponseHead?>? reader = null;
        long bodySent = 0;
        double? answeredAtMs = null;
        var request = await session.RunStageAsync("request", options.TransferTimeout, async ct =>
        {
            var requestLine = $"{(body is null ? "GET" : "POST")} {target.PathAndQuery} HTTP/1.1";
            await connection.WriteLineAsync(requestLine, ct).ConfigureAwait(false);
            await connection.WriteLineAsync($"Host: {target.HostHeader}", ct).ConfigureAwait(false);
            await connection.WriteLineAsync("User-Agent: linger-probe", ct).ConfigureAwait(false);
            await connection.WriteLineAsync("Accept: */*", ct).ConfigureAwait(false);
            await connection.WriteLineAsync("Connection: close", ct).ConfigureAwait(false);
            if (body is { } size)
            {
                await connection.WriteLineAsync("Content-Type: application/octet-stream", ct).ConfigureAwait(false);
                await connection.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {size}"), ct).ConfigureAwait(false);
            }

            await connection.WriteLineAsync(string.Empty, ct).ConfigureAwait(false);

            // Reading starts before the body goes out: a server may answer (and close) while it still arrives.
            reader = ReadResponseAsync(session, connection, () => answeredAtMs ??= session.ElapsedMs, responseTimeout.Token);
            if (body is not { } length)
            {
                return StageOutcome.Pass(sent: requestLine);
            }

            session.Sent($"[body: {ByteSize.Format(length)} ({length} bytes)]");
            var chunk = new byte[ChunkBytes];
            chunk.AsSpan().Fill((byte)'x');
            try
            {
                while (bodySent < length)
                {
                    var n = (int)Math.Min(chunk.Length, length - bodySent);
                    await connection.WriteUnrecordedAsync(chunk.AsMemory(0, n), ct).ConfigureAwait(false);
                    bodySent += n;
                }
            }
            catch (IOException e)
            {
                var error = ProbeError.From(e);
                return new StageOutcome(false, requestLine, null, error with { Message = $"sending the body failed after {ByteSize.Format(bodySent)} of {ByteSize.Format(length)}: {error.Message}" });
            }

            session.Info($"body sent: {ByteSize.Format(length)}");
            return StageOutcome.Pass(sent: $"{requestLine} + {length} bytes");
        }, cancellationToken).ConfigureAwait(false);

        if (reader is null)
        {
            return;
        }

        ResponseHead? head = null;
        var response = await session.RunStageAsync("response", options.TransferTimeout, async ct =>
        {
            head = await reader.WaitAsync(ct).ConfigureAwait(false);
            if (head is null)
            {
                return StageOutcome.Fail("the server closed the connection without answering");
            }

            return head.Code is >= 100 and < 400
                ? StageOutcome.Pass(received: head.StatusLine)
                : StageOutcome.Fail($"the server answered {head.StatusLine}", received: head.StatusLine);
        }, cancellationToken).ConfigureAwait(false);
        await responseTimeout.CancelAsync().ConfigureAwait(false);

        if (body is { } total && request.Error is { } sendError)
        {
            FindEarlyClose(session, head, response, sendError, bodySent, total, answeredAtMs);
        }
        else if (body is { } all && answeredAtMs is { } at && head is not null)
        {
            session.Info(string.Create(CultureInfo.InvariantCulture, $"the server answered at {at:0.0} ms, and read the whole {ByteSize.Format(all)} body"));
        }
    }

    private static void FindEarlyClose(ProbeSession session, ResponseHead? head, ProbeStage response, ProbeError sendError, long sent, long total, double? answeredAtMs)
    {
        var explain = sendError.SocketError == SocketError.Shutdown || sendError.Errno == 32 ? "EPIPE" : "ECONNRESET";
        if (head is not null)
        {
            var when = answeredAtMs is { } at ? string.Create(CultureInfo.InvariantCulture, $" at {at:0.0} ms") : string.Empty;
            session.Find("early-response-then-close", "request",
                $"The server answered \"{head.StatusLine}\"{when}, before the body was sent, and closed the connection with {ByteSize.Format(total - sent)} of the body still coming; the send then failed with {explain}. The answer is what explains the failure: a client that stops at the send error never shows it.",
                "peer-closed-with-unread-data", explain);
            return;
        }

        CauseChoice.Find(session, "reset-during-upload", "request",
            $"The connection was reset after {ByteSize.Format(sent)} of {ByteSize.Format(total)} of the body, and no answer came ({response.Error?.Message ?? "nothing received"}).",
            "peer-closed-with-unread-data", "antivirus-or-proxy", explain);
    }

    private static async Task<ResponseHead?> ReadResponseAsync(ProbeSession session, LineConnection connection, Action answered, CancellationToken cancellationToken)
    {
        var status = await connection.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return null;
        }

        answered();
        var parts = status.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new IOException($"the server's answer is not HTTP: \"{status}\"");
        }

        long? contentLength = null;
        for (var i = 0; ; i++)
        {
            if (i == MaxHeaders)
            {
                throw new IOException($"the server sent more than {MaxHeaders} header lines");
            }

            var header = await connection.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (header is null || header.Length == 0)
            {
                break;
            }

            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && header[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(header[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                contentLength = length;
            }
        }

        // The body is counted, not shown; reading it is bounded.
        var buffer = new byte[ChunkBytes];
        long bodyBytes = 0;
        var limit = Math.Min(contentLength ?? MaxResponseBodyRead, MaxResponseBodyRead);
        try
        {
            while (bodyBytes < limit)
            {
                var n = await connection.ReadUnrecordedAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - bodyBytes)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                bodyBytes += n;
            }
        }
        catch (IOException e)
        {
            session.Error($"reading the response body after {bodyBytes} bytes: {ProbeError.From(e).Message}");
        }

        session.Info(contentLength is { } expected && expected != bodyBytes
            ? $"response body: {bodyBytes} of the {expected} bytes announced"
            : $"response body: {bodyBytes} bytes");
        return new ResponseHead(code, status);
    }

    private sealed record ResponseHead(int Code, string StatusLine);
}
