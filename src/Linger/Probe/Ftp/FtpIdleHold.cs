using System.Globalization;
using System.Net.Sockets;
using Linger.Probe.Tcp;

namespace Linger.Probe.Ftp;

/// <summary>
/// The hold stage: the logged-in control connection sits idle for <see cref="FtpProbeOptions.Hold"/>, as it does while
/// a user reads a listing or a client waits between transfers, and the stage reports whether and how the server ended
/// it (vsftpd's idle_session_timeout: "421 Timeout." then FIN). It passes when the connection is still open at the end.
/// </summary>
internal sealed class FtpIdleHold(ProbeSession session, FtpControl control, TimeSpan hold, TimeSpan timeout)
{
    /// <summary>Replies tolerated during the hold before the stage stops listening (a server chattering without end).</summary>
    private const int MaxUnsolicitedReplies = 16;

    /// <summary>Runs the stage.</summary>
    public async Task<StageOutcome> RunAsync(CancellationToken ct)
    {
        var seconds = Seconds(hold.TotalSeconds);
        session.Info($"holding the logged-in control connection idle for {seconds} s");
        var startedMs = session.ElapsedMs;
        for (var replies = 0; replies < MaxUnsolicitedReplies; replies++)
        {
            var left = hold - TimeSpan.FromMilliseconds(session.ElapsedMs - startedMs); // the session's clock is monotonic
            if (left <= TimeSpan.Zero || !await control.WaitForServerAsync(left, ct).ConfigureAwait(false))
            {
                session.Info($"the control connection is still open after {seconds} s idle");
                return StageOutcome.Pass(received: $"still open after {seconds} s idle");
            }

            var idle = Seconds((session.ElapsedMs - startedMs) / 1000);
            NumberedReply? reply;
            try
            {
                reply = await control.ReadWithinAsync(timeout, ct).ConfigureAwait(false);
            }
            catch (IOException e) when (e.InnerException is SocketException reset)
            {
                return Reset(idle, reset);
            }
            catch (SocketException reset)
            {
                return Reset(idle, reset);
            }
            catch (IOException e) when (control.Connection.IsTls)
            {
                return TlsEnded(idle, e, await RawEndAsync(ct).ConfigureAwait(false));
            }

            if (reply is null)
            {
                session.Find("ftp-idle-closed", "hold", $"After {idle} s without a command the server closed the control connection (FIN) without a word: it ends idle sessions.", "server-idle-timeout", null);
                return StageOutcome.Fail($"the server closed the control connection (FIN) after {idle} s idle", received: "FIN");
            }

            if (reply.Code == 421)
            {
                var end = await HowItEndedAsync(ct).ConfigureAwait(false);
                session.Find("ftp-idle-timeout", "hold", $"After {idle} s without a command the server ended the session: \"{reply.Text}\", then {end}. It logs out idle sessions (vsftpd: idle_session_timeout, 300 s by default).", "server-idle-timeout", "421");
                return StageOutcome.Fail($"the server ended the idle session after {idle} s: {reply.Text}", received: reply.Text);
            }

            session.Info($"an unsolicited reply after {idle} s idle; holding on");
        }

        return StageOutcome.Pass(received: "still open; the server sent replies nobody asked for");
    }

    private static string Seconds(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>After a 421 the connection should close: says whether it did so with FIN, with RST, or not in time.</summary>
    private async Task<string> HowItEndedAsync(CancellationToken ct)
    {
        try
        {
            var more = await control.ReadWithinAsync(timeout, ct).ConfigureAwait(false);
            return more is null ? "closed the connection (FIN)" : $"sent \"{more.Text}\"";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return string.Create(CultureInfo.InvariantCulture, $"left the connection open for {timeout.TotalSeconds:0.#} s more");
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return $"reset the connection ({e.Message})";
        }
    }

    /// <summary>
    /// The end of a TLS control connection that TLS could not read: vsftpd 3.0.3 ends an idle FTPS session with a
    /// close_notify followed by "500 OOPS: vsf_sysutil_recv_peek" in clear text (seen on the wire), instead of an
    /// encrypted "421 Timeout.".
    /// </summary>
    private StageOutcome TlsEnded(string idle, IOException e, string end)
    {
        control.MarkEnded();
        session.Find("ftp-idle-timeout", "hold", $"After {idle} s without a command the server ended the TLS session on the control connection, without a reply TLS could read (vsftpd, for one, sends close_notify and then \"500 OOPS\" in clear text where a plain session gets \"421 Timeout.\"), then {end}. It logs out idle sessions (vsftpd: idle_session_timeout, 300 s by default).", "server-idle-timeout", null);
        return StageOutcome.Fail($"the server ended the idle TLS session after {idle} s: {e.Message}", received: end);
    }

    /// <summary>After TLS broke, how the TCP connection under it ended, read from the socket itself.</summary>
    private async Task<string> RawEndAsync(CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var buffer = new byte[4096];
        try
        {
            for (var reads = 0; reads < 64; reads++)
            {
                if (await control.Connection.Socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token).ConfigureAwait(false) == 0)
                {
                    return "closed the connection (FIN)";
                }
            }

            return "kept sending";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return string.Create(CultureInfo.InvariantCulture, $"left the connection open for {timeout.TotalSeconds:0.#} s more");
        }
        catch (SocketException reset)
        {
            return $"reset the connection ({reset.Message})";
        }
    }

    private StageOutcome Reset(string idle, SocketException e)
    {
        control.MarkEnded();
        CauseChoice.Find(session, "ftp-idle-reset", "hold", $"After {idle} s without a command the control connection was reset (RST): a firewall, NAT or load balancer dropped its idle state, or the server aborts idle sessions.", "middlebox-idle-timeout", "server-idle-timeout", "ECONNRESET");
        return new StageOutcome(false, null, "RST", ProbeError.From(e) with { Message = $"{e.Message} after {idle} s idle" });
    }
}
