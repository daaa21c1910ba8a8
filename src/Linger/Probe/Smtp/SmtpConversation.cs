using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Linger.Probe.Smtp;

/// <summary>One SMTP conversation of the probe, stage by stage, on a connected socket.</summary>
internal sealed class SmtpConversation(ProbeSession session, SmtpProbeOptions options, LineConnection connection, IPEndPoint endPoint)
{
    private readonly int _port = options.Target.Port;

    // What the last stage ran into, to tell silence and a closed connection from a reply.
    private bool _silent;
    private bool _closed;
    private NumberedReply? _reply;
    private bool _authenticated;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var mode = options.EffectiveTls;
        if (mode == SmtpTlsMode.Implicit && !await ImplicitTlsAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (!await BannerAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var capabilities = await EhloAsync(cancellationToken).ConfigureAwait(false);
        if (capabilities is null)
        {
            return;
        }

        if (mode is SmtpTlsMode.Auto or SmtpTlsMode.StartTls)
        {
            if (capabilities.StartTls)
            {
                var before = capabilities;
                if (!await StartTlsAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                capabilities = await EhloAsync(cancellationToken).ConfigureAwait(false);
                if (capabilities is null)
                {
                    return;
                }

                if (!before.Auth && capabilities.Auth)
                {
                    session.Info("AUTH is offered only after STARTTLS: a client must start TLS before it can log in");
                }
            }
            else if (mode == SmtpTlsMode.StartTls)
            {
                session.Stage("starttls", false, session.ElapsedMs, error: ProbeError.Of("the server does not offer STARTTLS"));
                session.Find(new Finding("starttls-not-offered", "starttls", $"The server on port {_port} did not list STARTTLS in its EHLO reply, so a client set to STARTTLS cannot start TLS here.", "The server has no certificate configured for this port, or something in the path strips STARTTLS from the reply.", "Configure TLS on the server for this port, or use its implicit-TLS port (465); an anti-virus that scans mail can strip STARTTLS: turn its mail scanning off.", null));
                return;
            }
            else
            {
                session.Info("the server does not offer STARTTLS; the conversation stays in plain text");
            }
        }

        if (!connection.IsTls && capabilities.Auth)
        {
            session.Info("AUTH is offered over plain text: a password would cross the network unencrypted");
        }

        if ((options.User is not null && !await AuthAsync(capabilities, cancellationToken).ConfigureAwait(false))
            || (options.Send && !await SendAsync(cancellationToken).ConfigureAwait(false)))
        {
            await QuitAfterRefusalAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await QuitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A stage that failed with the connection still open (the server refused it, 4xx/5xx; or it could not be tried:
    /// no AUTH offered, no mechanism in common) ends it with QUIT, as a mail client does (RFC 5321 4.1.1.10), rather
    /// than drop it. Not after 421, with which the server closes the connection itself, nor when the connection is gone
    /// or went silent (a stage that got no reply leaves none).
    /// </summary>
    private async Task QuitAfterRefusalAsync(CancellationToken cancellationToken)
    {
        if (_reply is { Code: not 421 } && !_closed && !_silent)
        {
            await QuitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> ImplicitTlsAsync(CancellationToken cancellationToken)
    {
        var stage = await RunStageAsync("tls", async t =>
        {
            await connection.StartTlsAsync(options.Target.Host, options.Insecure, t).ConfigureAwait(false);
            return StageOutcome.Pass(received: connection.TlsDescription);
        }, cancellationToken).ConfigureAwait(false);
        if (stage.Ok)
        {
            return true;
        }

        if (CertificateFinding("tls"))
        {
            return false;
        }

        // A plain-text port answers the ClientHello with its greeting, which OpenSSL reads as a record of a wrong
        // version; a second, plain connection shows whether the port greets in plain text.
        session.Info("checking on a second connection whether the port speaks plain SMTP");
        var greeting = await PlainGreetingAsync(cancellationToken).ConfigureAwait(false);
        if (greeting is not null)
        {
            session.Find("tls-to-plain-port", "tls", $"The TLS handshake failed ({stage.Error?.Message}; OpenSSL-based clients say \"wrong version number\": the server's plain-text greeting was read as a TLS record) and a plain connection to port {_port} was greeted with \"{greeting.Text}\": this port speaks plain SMTP (with STARTTLS, if offered), not implicit TLS.", "wrong-tls-mode", null);
        }

        return false;
    }

    private async Task<bool> BannerAsync(CancellationToken cancellationToken)
    {
        var stage = await RunStageAsync("banner", async t =>
        {
            var reply = await ReadReplyAsync(t).ConfigureAwait(false);
            return reply is null
                ? StageOutcome.Fail("the server closed the connection without a greeting")
                : reply.Code == 220 ? StageOutcome.Pass(received: reply.Text) : StageOutcome.Fail($"the server greeted with {reply.Code}, not 220", received: reply.Text);
        }, cancellationToken).ConfigureAwait(false);
        if (stage.Ok)
        {
            return true;
        }

        if (_reply is { Code: 421 } refusal)
        {
            var busy = refusal.Text.Contains("too many", StringComparison.OrdinalIgnoreCase) || refusal.Text.Contains("connections", StringComparison.OrdinalIgnoreCase);
            session.Find("greeting-421", "banner", $"The server greeted with \"{refusal.Text}\": it refuses this connection for now and closes it (a client shows this as the server disconnecting).", busy ? "too-many-connections" : "rate-limit-or-greylisting", "421");
        }
        else if (_reply is { Code: >= 500 } rejection)
        {
            session.Find("greeting-rejected", "banner", $"The server greeted with \"{rejection.Text}\": it rejects connections from this address.", "smtp-policy-rejection", null);
        }
        else if (_silent && options.EffectiveTls != SmtpTlsMode.Implicit)
        {
            session.Info("checking on a second connection whether the port expects implicit TLS");
            var tls = await ImplicitTlsWorksAsync(cancellationToken).ConfigureAwait(false);
            if (tls is not null)
            {
                session.Find("plain-to-implicit-tls-port", "banner", $"The server said nothing for {Seconds(options.Timeout)} s, and a TLS handshake on a second connection to port {_port} succeeded ({tls}): the port expects implicit TLS (SMTPS) and waits for a ClientHello that plain SMTP never sends.", "wrong-tls-mode", null);
            }
            else
            {
                session.Find(new Finding("banner-silent", "banner", $"The connection to port {_port} was accepted but no greeting came within {Seconds(options.Timeout)} s, and it does not speak TLS either.", "A server too busy to greet, a proxy or anti-virus holding the connection, or a service on this port that is not a mail server.", "Check what listens on the port on the server (ss -ltnp), and whether a local anti-virus or proxy intercepts mail connections.", null));
            }
        }
        else
        {
            ConnectionBroke("banner", stage);
        }

        return false;
    }

    private async Task<SmtpCapabilities?> EhloAsync(CancellationToken cancellationToken)
    {
        SmtpCapabilities? capabilities = null;
        var stage = await RunStageAsync("ehlo", async t =>
        {
            var ehlo = await CommandAsync($"EHLO {options.EhloName}", t).ConfigureAwait(false);
            if (ehlo is null)
            {
                return StageOutcome.Fail("the server closed the connection after EHLO", $"EHLO {options.EhloName}");
            }

            if (ehlo.IsPositive)
            {
                capabilities = SmtpCapabilities.Parse(ehlo);
                return StageOutcome.Pass($"EHLO {options.EhloName}", ehlo.Text);
            }

            if (ehlo.Code < 500)
            {
                return StageOutcome.Fail($"EHLO was answered with {ehlo.Code}", $"EHLO {options.EhloName}", ehlo.Text);
            }

            // A server from before ESMTP (or one that refuses it) still takes HELO, without any extension.
            session.Info("EHLO refused; trying HELO");
            var helo = await CommandAsync($"HELO {options.EhloName}", t).ConfigureAwait(false);
            if (helo is { IsPositive: true })
            {
                capabilities = SmtpCapabilities.None;
                return StageOutcome.Pass($"HELO {options.EhloName}", helo.Text);
            }

            return StageOutcome.Fail(helo is null ? "the server closed the connection after HELO" : $"both EHLO and HELO were refused ({helo.Code})", $"HELO {options.EhloName}", helo?.Text);
        }, cancellationToken).ConfigureAwait(false);
        if (capabilities is not null)
        {
            session.Info(capabilities.Keywords.Count == 0 ? "no extensions offered" : $"capabilities: {string.Join(", ", capabilities.Keywords)}" + (capabilities.Auth ? $"; AUTH {string.Join(' ', capabilities.AuthMechanisms)}" : string.Empty));
            return capabilities;
        }

        if (_reply is { Code: >= 500 } rejection)
        {
            session.Find("ehlo-rejected", "ehlo", $"The server refused the greeting: \"{rejection.Text}\".", "smtp-policy-rejection", null);
        }
        else
        {
            ConnectionBroke("ehlo", stage);
        }

        return null;
    }

    private async Task<bool> StartTlsAsync(CancellationToken cancellationToken)
    {
        var stage = await RunStageAsync("starttls", async t =>
        {
            var reply = await CommandAsync("STARTTLS", t).ConfigureAwait(false);
            if (reply is not { Code: 220 })
            {
                return StageOutcome.Fail(reply is null ? "the server closed the connection after STARTTLS" : $"STARTTLS was answered with {reply.Code}", "STARTTLS", reply?.Text);
            }

            await connection.StartTlsAsync(options.Target.Host, options.Insecure, t).ConfigureAwait(false);
            return StageOutcome.Pass("STARTTLS", $"{reply.Text}; {connection.TlsDescription}");
        }, cancellationToken).ConfigureAwait(false);
        if (!stage.Ok && !CertificateFinding("starttls"))
        {
            ConnectionBroke("starttls", stage);
        }

        return stage.Ok;
    }

    private async Task<bool> AuthAsync(SmtpCapabilities capabilities, CancellationToken cancellationToken)
    {
        var user = options.User!;
        var password = options.Password ?? string.Empty;
        if (!capabilities.Auth)
        {
            session.Stage("auth", false, session.ElapsedMs, error: ProbeError.Of("the server offers no AUTH" + (connection.IsTls ? string.Empty : " on this unencrypted connection")));
            var summary = connection.IsTls || !capabilities.StartTls
                ? $"The server listed no AUTH mechanism{(connection.IsTls ? string.Empty : " on this unencrypted connection")}, so a client cannot log in to send mail here."
                : "The server offers STARTTLS and lists no AUTH mechanism before TLS has started (most servers keep passwords off unencrypted connections this way); a client that does not start TLS cannot log in.";
            session.Find("auth-not-offered", "auth", summary, "smtp-auth-missing", null);
            return false;
        }

        var plain = capabilities.AuthMechanisms.Contains("PLAIN");
        if (!plain && !capabilities.AuthMechanisms.Contains("LOGIN"))
        {
            session.Stage("auth", false, session.ElapsedMs, error: ProbeError.Of($"the server offers AUTH {string.Join(' ', capabilities.AuthMechanisms)}; linger speaks PLAIN and LOGIN"));
            return false;
        }

        var stage = await RunStageAsync("auth", async t =>
        {
            NumberedReply? reply;
            if (plain)
            {
                var token = Base64($"\0{user}\0{password}");
                reply = await CommandAsync($"AUTH PLAIN {token}", t, "AUTH PLAIN <redacted>").ConfigureAwait(false);
            }
            else
            {
                reply = await CommandAsync("AUTH LOGIN", t).ConfigureAwait(false);
                if (reply is { Code: 334 })
                {
                    reply = await CommandAsync(Base64(user), t).ConfigureAwait(false);
                }

                if (reply is { Code: 334 })
                {
                    reply = await CommandAsync(Base64(password), t, "<redacted>").ConfigureAwait(false);
                }
            }

            var mechanism = plain ? "AUTH PLAIN" : "AUTH LOGIN";
            return reply switch
            {
                null => StageOutcome.Fail($"the server closed the connection during {mechanism}", mechanism),
                { Code: 235 } => StageOutcome.Pass(mechanism, reply.Text),
                _ => StageOutcome.Fail($"{mechanism} was answered with {reply.Code}", mechanism, reply.Text),
            };
        }, cancellationToken).ConfigureAwait(false);
        _authenticated = stage.Ok;
        if (_reply is { Code: 535 or 534 } refusal)
        {
            session.Find(new Finding("auth-rejected", "auth", $"The server refused the login of {user}: \"{refusal.Text}\".", "A wrong user name or password, or an account that may not send through this server (some providers want an app password).", "Check the user name and password with the provider; with two-factor sign-in create an app password.", "535"));
        }
        else if (!stage.Ok)
        {
            ConnectionBroke("auth", stage);
        }

        return stage.Ok;
    }

    private async Task<bool> SendAsync(CancellationToken cancellationToken)
    {
        var mail = await EnvelopeStageAsync("mail", $"MAIL FROM:<{options.From}>", cancellationToken).ConfigureAwait(false);
        if (!mail || !await EnvelopeStageAsync("rcpt", $"RCPT TO:<{options.To}>", cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var stage = await RunStageAsync("data", async t =>
        {
            var go = await CommandAsync("DATA", t).ConfigureAwait(false);
            if (go is not { Code: 354 })
            {
                return StageOutcome.Fail(go is null ? "the server closed the connection after DATA" : $"DATA was answered with {go.Code}", "DATA", go?.Text);
            }

            var message = Encoding.UTF8.GetBytes(TestMessage());
            await connection.WriteAsync(message, $"(test message, {message.Length} bytes, ending with \".\")", t).ConfigureAwait(false);
            var done = await ReadReplyAsync(t).ConfigureAwait(false);
            return done is { IsPositive: true }
                ? StageOutcome.Pass($"DATA ({message.Length} bytes)", done.Text)
                : StageOutcome.Fail(done is null ? "the server closed the connection after the message" : $"the message was answered with {done.Code}", "DATA", done?.Text);
        }, cancellationToken).ConfigureAwait(false);
        if (!stage.Ok)
        {
            Rejected("data", stage);
        }

        return stage.Ok;
    }

    private async Task<bool> EnvelopeStageAsync(string name, string command, CancellationToken cancellationToken)
    {
        var stage = await RunStageAsync(name, async t =>
        {
            var reply = await CommandAsync(command, t).ConfigureAwait(false);
            return reply switch
            {
                null => StageOutcome.Fail($"the server closed the connection after {command}", command),
                { IsPositive: true } => StageOutcome.Pass(command, reply.Text),
                _ => StageOutcome.Fail($"{command} was answered with {reply.Code}", command, reply.Text),
            };
        }, cancellationToken).ConfigureAwait(false);
        if (!stage.Ok)
        {
            Rejected(name, stage);
        }

        return stage.Ok;
    }

    private async Task QuitAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(options.Timeout);
        try
        {
            await CommandAsync("QUIT", cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The conversation's stages are done; a server that drops the connection on QUIT changes nothing.
            session.Info($"no clean QUIT: {e.Message}");
        }
    }

    /// <summary>A refusal (4xx/5xx) or a broken connection after a command: what kind, and the finding for it.</summary>
    private void Rejected(string stageName, ProbeStage stage)
    {
        if (_reply is { Code: >= 400 } reply)
        {
            var relay = reply.Text.Contains("relay", StringComparison.OrdinalIgnoreCase) || reply.Text.Contains("authentication", StringComparison.OrdinalIgnoreCase);
            var cause = reply.Code < 500 ? "rate-limit-or-greylisting" : relay && !_authenticated ? "smtp-auth-missing" : "smtp-policy-rejection";
            session.Find($"{stageName}-rejected", stageName, $"The server answered {reply.Text}" + (relay && !_authenticated ? "; it relays only for clients that log in." : "."), cause, reply.Code.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            ConnectionBroke(stageName, stage);
        }
    }

    /// <summary>The finding for a connection that was reset, closed or went silent in the middle of the conversation.</summary>
    private void ConnectionBroke(string stageName, ProbeStage stage)
    {
        var reset = stage.Error?.SocketError == SocketError.ConnectionReset;
        if (!reset && !_closed)
        {
            if (_silent)
            {
                session.Find("server-silent", stageName, $"The server stopped answering at the {stageName} stage (nothing within {Seconds(options.Timeout)} s).", "server-idle-timeout", null);
            }

            return;
        }

        var how = reset ? "reset (RST)" : "closed";
        var what = $"The connection was {how} right after {Command(stageName)}, without an SMTP reply";
        if (_port == 25 && stageName is "banner" or "ehlo" or "mail")
        {
            session.Find($"{stageName}-{(reset ? "reset" : "closed")}", stageName, $"{what}: on port 25 this is how ISPs and anti-spam filters cut off mail clients.", "isp-blocks-port-25", reset ? "10054" : null);
        }
        else if (stageName is "mail" or "rcpt" or "data")
        {
            session.Find($"{stageName}-{(reset ? "reset" : "closed")}", stageName, $"{what}: the server or a filter in front of it dropped the message without saying why.", reset ? "antivirus-or-proxy" : "smtp-policy-rejection", reset ? "10054" : null);
        }
        else
        {
            session.Find($"{stageName}-{(reset ? "reset" : "closed")}", stageName, $"{what}: something between the client and the mail server (an anti-virus mail scanner, a proxy) or the server itself cut the conversation.", "antivirus-or-proxy", reset ? "10054" : null);
        }
    }

    private bool CertificateFinding(string stageName)
    {
        if (connection.CertificateProblem is not { } problem || options.Insecure)
        {
            return false;
        }

        session.Find(new Finding("certificate-untrusted", stageName, $"The server's certificate is not trusted: {problem}.", "A self-signed or expired certificate, one for another name, or a missing intermediate certificate on the server.", $"Install a certificate from a trusted authority for {options.Target.Host} (with its chain) on the server, or connect by the name the certificate is for; --insecure probes on anyway.", null));
        return true;
    }

    /// <summary>Connects again and waits for a plain-text greeting; the reply, or null when none came.</summary>
    private Task<NumberedReply?> PlainGreetingAsync(CancellationToken cancellationToken) =>
        SecondConnectionAsync(
            async (second, ct) =>
            {
                var reply = await second.ReadReplyAsync(ct).ConfigureAwait(false);
                if (reply is not { Code: > 0 })
                {
                    return null;
                }

                session.Received($"(second connection) {reply.Text}");
                return reply;
            },
            "the second connection got no plain greeting",
            cancellationToken);

    /// <summary>Connects again and tries a TLS handshake right away; the protocol and cipher, or null when it failed.</summary>
    private Task<string?> ImplicitTlsWorksAsync(CancellationToken cancellationToken) =>
        SecondConnectionAsync(
            async (second, ct) =>
            {
                // The certificate is not what is being asked here, only whether the port speaks TLS at all.
                await second.StartTlsAsync(options.Target.Host, insecure: true, ct).ConfigureAwait(false);
                session.Info($"(second connection) TLS established: {second.TlsDescription}");
                return second.TlsDescription;
            },
            "the second connection could not start TLS either",
            cancellationToken);

    /// <summary>
    /// A question asked of a second connection to the same address, within the probe's timeout and off the record
    /// (its own session: only what <paramref name="ask"/> reports reaches the transcript); null when it failed.
    /// </summary>
    private async Task<T?> SecondConnectionAsync<T>(Func<LineConnection, CancellationToken, Task<T?>> ask, string failure, CancellationToken cancellationToken)
        where T : class
    {
        var probe = new ProbeSession(session.Probe, session.Target);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(options.Timeout);
        try
        {
            var second = await LineConnection.ConnectAsync(probe, endPoint, cts.Token).ConfigureAwait(false);
            await using (second.ConfigureAwait(false))
            {
                return await ask(second, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            session.Info($"{failure}: {e.Message}");
            return null;
        }
    }

    private Task<ProbeStage> RunStageAsync(string name, Func<CancellationToken, Task<StageOutcome>> work, CancellationToken cancellationToken)
    {
        _silent = false;
        _closed = false;
        _reply = null;
        return session.RunStageAsync(name, options.Timeout, async t =>
        {
            try
            {
                return await work(t).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _silent = true;
                throw;
            }
        }, cancellationToken);
    }

    private async Task<NumberedReply?> CommandAsync(string line, CancellationToken cancellationToken, string? display = null)
    {
        await connection.WriteLineAsync(line, cancellationToken, display).ConfigureAwait(false);
        return await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<NumberedReply?> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var reply = await connection.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        _reply = reply;
        _closed = reply is null;
        return reply;
    }

    private string TestMessage()
    {
        var date = DateTimeOffset.Now.ToString("ddd, dd MMM yyyy HH:mm:ss zzz", CultureInfo.InvariantCulture).Remove(29, 1);
        var id = $"{Guid.NewGuid():N}@{options.EhloName}";
        return $"From: <{options.From}>\r\nTo: <{options.To}>\r\nSubject: linger probe smtp test message\r\nDate: {date}\r\nMessage-ID: <{id}>\r\n\r\n"
            + $"A test message sent by 'linger probe smtp --send' to check that mail goes through {options.Target}.\r\n.\r\n";
    }

    private static string Command(string stage) => stage switch
    {
        "banner" => "connecting",
        "ehlo" => "EHLO",
        "mail" => "MAIL FROM",
        "rcpt" => "RCPT TO",
        "data" => "DATA",
        "auth" => "AUTH",
        _ => stage.ToUpperInvariant(),
    };

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
