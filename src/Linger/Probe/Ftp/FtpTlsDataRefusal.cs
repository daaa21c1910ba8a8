using System.Net;

namespace Linger.Probe.Ftp;

/// <summary>
/// Reply 522 after a transfer command with FTPS: the server took the data connection's TLS handshake and then refused
/// it. vsftpd does so when the data connection did not resume the control connection's TLS session (its
/// <c>require_ssl_reuse=YES</c>, the default: proof that the data connection comes from the logged-in client), and
/// then ends the whole session.
/// </summary>
internal static class FtpTlsDataRefusal
{
    /// <summary>The reply code vsftpd and others use for a refused TLS data connection.</summary>
    public const int Code = 522;

    /// <summary>
    /// When <paramref name="reply"/> is a 522, records the finding for <paramref name="stage"/>, marks the session on
    /// <paramref name="control"/> ended, and returns the failed stage's outcome; otherwise null.
    /// </summary>
    public static StageOutcome? Check(ProbeSession session, FtpControl control, string stage, string sent, NumberedReply reply, string host)
    {
        if (reply.Code != Code)
        {
            return null;
        }

        control.MarkEnded();

        if (reply.Text.Contains("reuse", StringComparison.OrdinalIgnoreCase))
        {
            var byAddress = IPAddress.TryParse(host, out _)
                ? $" The probe was given the address {host}, not a host name, and .NET resumes TLS sessions only for host names."
                : string.Empty;
            session.Find(new Finding("ftps-session-reuse-required", stage,
                $"The server refused the TLS data connection because it did not resume the control connection's TLS session (\"{reply.Text}\").{byAddress}",
                "The server requires every data connection to resume the control connection's TLS session (vsftpd: require_ssl_reuse=YES, its default), and the client started a new session: it cannot resume sessions, or it was given an IP address where it resumes only by host name.",
                "Use a client that resumes TLS sessions on data connections (FileZilla, curl and lftp do) and connect by host name (so does linger). Only if no such client can be used, set require_ssl_reuse=NO on the server, which gives up its check that the data connection comes from the logged-in client.",
                "522"));
        }
        else
        {
            session.Find(new Finding("ftps-data-tls-refused", stage,
                $"The server refused the TLS data connection after its handshake (\"{reply.Text}\").",
                "The data connection's TLS did not pass the server's checks: a client certificate other than the control connection's, or a protocol the server does not accept there.",
                "Read the server's TLS log for the reason (vsftpd: debug_ssl=YES writes it to the vsftpd log).",
                null));
        }

        return StageOutcome.Fail($"the server refused the TLS data connection: {reply.Text}", sent, reply.Text);
    }
}
