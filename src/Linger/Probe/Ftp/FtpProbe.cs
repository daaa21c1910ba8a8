using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Linger.Probe.Tcp;

namespace Linger.Probe.Ftp;

/// <summary>
/// <c>linger probe ftp</c>: the FTP checklist against a real server. Stages: resolve, connect, banner, tls (with
/// <see cref="FtpProbeOptions.Tls"/>), login (with SYST, FEAT and TYPE I), hold (with <see cref="FtpProbeOptions.Hold"/>), pasv, list, epsv, upload, download, port and
/// eprt (with <see cref="FtpProbeOptions.Active"/>), concurrency (with <see cref="FtpProbeOptions.Concurrency"/>).
/// Data connections only ever go to the address the control connection reached, whatever 227 says.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "RunAsync disposes the control and data connections in its finally block; none outlives a run.")]
public sealed class FtpProbe(FtpProbeOptions options)
{
    private const string AnonymousPassword = "linger@";
    private readonly FtpProbeOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private ProbeSession _session = null!;
    private FtpControl? _control;
    private FtpDataChannel? _pending;
    private bool? _pasvWorks;
    private bool? _epsvWorks;
    private bool _outOfStep;

    /// <summary>Runs the probe, recording into <paramref name="session"/>, and returns its report.</summary>
    public async Task<ProbeReport> RunAsync(ProbeSession session, CancellationToken cancellationToken)
    {
        _session = session ?? throw new ArgumentNullException(nameof(session));
        if (_options.Password is { } password)
        {
            session.AddSecret(password, _options.User);
        }

        try
        {
            await RunStagesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (_pending is not null)
            {
                await _pending.DisposeAsync().ConfigureAwait(false);
            }

            if (_control is not null)
            {
                await QuitAsync(_control).ConfigureAwait(false);
            }
        }

        return session.Report();
    }

    private TimeSpan Timeout => _options.Timeout;

    private string Host => _options.Target.Host;

    private async Task RunStagesAsync(CancellationToken ct)
    {
        var addresses = await TargetResolver.ResolveAsync(_session, Host, Timeout, ct).ConfigureAwait(false);
        if (addresses.Count == 0 || !await ConnectAsync(addresses, ct).ConfigureAwait(false) || !await BannerAsync(ct).ConfigureAwait(false))
        {
            return;
        }

        if (_options.Tls && !(await _session.RunStageAsync("tls", Timeout, TlsAsync, ct).ConfigureAwait(false)).Ok)
        {
            return;
        }

        if (!(await _session.RunStageAsync("login", Timeout, LoginAsync, ct).ConfigureAwait(false)).Ok)
        {
            return;
        }

        if (_options.Hold is { } hold)
        {
            var idle = new FtpIdleHold(_session, _control!, hold, Timeout);
            var held = await _session.RunStageAsync("hold", hold + (Timeout * 2), idle.RunAsync, ct).ConfigureAwait(false);
            if (!held.Ok)
            {
                return;
            }
        }

        if (_control!.Peer.AddressFamily == AddressFamily.InterNetwork)
        {
            _pasvWorks = (await _session.RunStageAsync("pasv", Timeout, PasvAsync, ct).ConfigureAwait(false)).Ok;
            if (_pasvWorks == true)
            {
                await RunDataStageAsync("list", Timeout, ListAsync, ct).ConfigureAwait(false);
            }
        }

        if (ControlUsable)
        {
            await RunControlStagesAsync(ct).ConfigureAwait(false);
        }
        else
        {
            _session.Info("epsv, the transfers and active mode: not run; the control connection is closed or out of step after the failure above");
        }

        // On connections of its own: whatever became of the first one.
        if (_options.Concurrency > 1)
        {
            var limit = new FtpSessionLimit(_session, _options, _control!.Peer);
            await _session.RunStageAsync("concurrency", Timeout * 2, limit.RunAsync, ct).ConfigureAwait(false);
        }
    }

    /// <summary>EPSV and a listing over it, the transfers and active mode: on the control connection, still usable.</summary>
    private async Task RunControlStagesAsync(CancellationToken ct)
    {
        _epsvWorks = (await _session.RunStageAsync("epsv", Timeout, EpsvAsync, ct).ConfigureAwait(false)).Ok;
        if (_pasvWorks != true && _epsvWorks == true)
        {
            await RunDataStageAsync("list", Timeout, ListAsync, ct).ConfigureAwait(false);
        }

        if (_options.Size > 0 && (_pasvWorks == true || _epsvWorks == true))
        {
            var file = new FtpTestFile(_options.Size, (uint)Random.Shared.Next());
            var name = file.NameFor(Environment.ProcessId);
            var transfer = new FtpTransfer(_session, _options, file, name);
            var limit = TransferLimit();
            var uploaded = await RunDataStageAsync("upload", limit + (_options.Stall ?? TimeSpan.Zero), c => transfer.UploadAsync(_control!, TakeChannelAsync, c), ct).ConfigureAwait(false);
            if (uploaded.Ok)
            {
                await RunDataStageAsync("download", limit, c => transfer.DownloadAsync(_control!, TakeChannelAsync, c), ct).ConfigureAwait(false);
            }

            if (ControlUsable)
            {
                await transfer.DeleteAsync(_control, Timeout, ct).ConfigureAwait(false);
            }
            else if (transfer.Stored)
            {
                _session.Error($"the test file {name} may remain on the server: the control connection is gone, so it could not be deleted");
            }
        }

        if (_options.Active && ControlUsable)
        {
            if (_control.Local.AddressFamily == AddressFamily.InterNetwork)
            {
                await RunDataStageAsync("port", Timeout, c => ActiveListAsync("port", c), ct).ConfigureAwait(false);
            }

            await RunDataStageAsync("eprt", Timeout, c => ActiveListAsync("eprt", c), ct).ConfigureAwait(false);
        }
    }

    /// <summary>A transfer may run as long as the test file needs at a slow 64 KB/s, on top of the usual timeout.</summary>
    private TimeSpan TransferLimit() => Timeout + TimeSpan.FromSeconds(_options.Size / (64.0 * 1024));

    [MemberNotNullWhen(true, nameof(_control))]
    private bool ControlUsable => _control is not null && _control.Connection.Socket.Connected && !_outOfStep && !_control.Ended;

    /// <summary>
    /// Runs a stage that moves data: when it fails part-way, replies may still be on their way (a late 226), so the
    /// control connection can no longer pair commands with replies and the stages after it are not run.
    /// </summary>
    private async Task<ProbeStage> RunDataStageAsync(string name, TimeSpan limit, Func<CancellationToken, Task<StageOutcome>> work, CancellationToken ct)
    {
        if (!ControlUsable)
        {
            _session.Info($"{name}: not run; the control connection is closed or out of step after the failure above");
            return new ProbeStage { Name = name, Ok = false };
        }

        var stage = await _session.RunStageAsync(name, limit, work, ct).ConfigureAwait(false);
        _outOfStep |= !stage.Ok && stage.Received is null;
        return stage;
    }

    private async Task<bool> ConnectAsync(IReadOnlyList<IPAddress> addresses, CancellationToken ct)
    {
        var port = _options.Target.Port;
        var stage = await _session.RunStageAsync("connect", Timeout * addresses.Count, async c =>
        {
            ProbeError? last = null;
            foreach (var address in addresses)
            {
                var endPoint = new IPEndPoint(address, port);
                _session.Info($"connecting to {endPoint} (control connection)");
                using var one = CancellationTokenSource.CreateLinkedTokenSource(c);
                one.CancelAfter(Timeout);
                try
                {
                    var connection = await LineConnection.ConnectAsync(_session, endPoint, one.Token).ConfigureAwait(false);
                    _control = new FtpControl(connection);
                    _session.Info($"connected to {endPoint} from {_control.Local}");
                    return StageOutcome.Pass(received: endPoint.ToString());
                }
                catch (OperationCanceledException) when (!c.IsCancellationRequested)
                {
                    last = ProbeError.Of(string.Create(CultureInfo.InvariantCulture, $"{endPoint}: no answer within {Timeout.TotalSeconds:0.#} s (SYN unanswered)"));
                    _session.Error(last.Message);
                }
                catch (SocketException e)
                {
                    last = ProbeError.From(e) with { Message = $"{endPoint}: {e.Message}" };
                    _session.Error(last.Message);
                }
            }

            return new StageOutcome(false, Error: last);
        }, ct).ConfigureAwait(false);
        if (!stage.Ok && stage.Error is { } error)
        {
            // Sorted as probe tcp sorts connect errors; the probe's own timeout carries no socket error.
            switch (error.SocketError is { } code ? ConnectOutcomes.Of(code) : ConnectOutcome.TimedOut)
            {
                case ConnectOutcome.Refused:
                    _session.Find("control-refused", "connect", $"Port {port} refused the connection (RST): no FTP server listens there, or a firewall rejects it.", "nothing-listening", "ECONNREFUSED");
                    break;
                case ConnectOutcome.TimedOut:
                    _session.Find("control-no-answer", "connect", $"Nothing answered on port {port}: the connection attempt was dropped silently.", "firewall-drop", "ETIMEDOUT");
                    break;
            }
        }

        return stage.Ok;
    }

    private async Task<bool> BannerAsync(CancellationToken ct)
    {
        var stage = await _session.RunStageAsync("banner", Timeout, async c =>
        {
            NumberedReply banner;
            try
            {
                banner = await _control!.ReadAsync(c).ConfigureAwait(false);
            }
            catch (FtpControlClosedException)
            {
                _session.Find("closed-before-banner", "banner", "The server accepted the connection and closed it without a greeting: a connection limit, a ban list or a proxy in the way.", "too-many-connections", null);
                throw;
            }

            if (banner.Code == 421)
            {
                _session.Find("too-many-connections", "banner", $"The server refused the session at once: \"{banner.Text}\".", "too-many-connections", "421");
                return StageOutcome.Fail($"the server refused the session: {banner.Text}", received: banner.Text);
            }

            return banner.Code == 220 ? StageOutcome.Pass(received: banner.Text) : StageOutcome.Fail($"expected a 220 greeting, got {banner.Text}", received: banner.Text);
        }, ct).ConfigureAwait(false);
        return stage.Ok;
    }

    private async Task<StageOutcome> TlsAsync(CancellationToken ct)
    {
        var reply = await _control!.CommandAsync("AUTH TLS", ct).ConfigureAwait(false);
        if (reply.Code != 234)
        {
            _session.Find(new Finding("ftps-not-offered", "tls", $"The server answered AUTH TLS with \"{reply.Text}\": it does not offer explicit FTPS on this port.",
                "FTPS is not enabled on the server, or the port expects implicit TLS (990).", "Enable explicit FTPS on the server (vsftpd: ssl_enable=YES), or probe without --tls.", null));
            return StageOutcome.Fail($"AUTH TLS refused: {reply.Text}", "AUTH TLS", reply.Text);
        }

        try
        {
            await _control.Connection.StartTlsAsync(Host, _options.Insecure, ct).ConfigureAwait(false);
        }
        catch (AuthenticationException) when (_control.Connection.CertificateProblem is { } problem)
        {
            _session.Find(new Finding("certificate-not-trusted", "tls", $"The server's certificate is not trusted: {problem}.",
                "A self-signed or expired certificate, one for another name, or a missing intermediate certificate.",
                "Install a certificate for this host name from a trusted authority with its full chain; --insecure proceeds anyway to test the rest.", null));
            throw;
        }

        if (_control.Connection.CertificateProblem is { } accepted)
        {
            _session.Find(new Finding("certificate-not-trusted", "tls", $"The server's certificate is not trusted ({accepted}); the probe went on because of --insecure.",
                "A self-signed or expired certificate, one for another name, or a missing intermediate certificate.",
                "Install a certificate for this host name from a trusted authority with its full chain.", null));
        }

        if (IPAddress.TryParse(Host, out _))
        {
            _session.Info("the target is an IP address: .NET resumes TLS sessions only for host names, so each data connection will start a new TLS session, which servers that require session reuse (vsftpd's default) refuse; give the host name to avoid that");
        }

        foreach (var command in (string[])["PBSZ 0", "PROT P"])
        {
            var r = await _control.CommandAsync(command, ct).ConfigureAwait(false);
            if (!r.IsPositive)
            {
                return StageOutcome.Fail($"{command} refused: {r.Text}", command, r.Text);
            }
        }

        return StageOutcome.Pass("AUTH TLS, PBSZ 0, PROT P", _control.Connection.TlsDescription);
    }

    private async Task<StageOutcome> LoginAsync(CancellationToken ct)
    {
        var user = _options.User ?? "anonymous";
        var password = _options.Password ?? AnonymousPassword;
        var reply = await _control!.CommandAsync($"USER {user}", ct).ConfigureAwait(false);
        if (reply.Code == 331)
        {
            reply = await _control.CommandAsync($"PASS {password}", ct, "PASS <redacted>").ConfigureAwait(false);
        }

        if (reply.Code is not (230 or 202))
        {
            if (reply.Code == 421)
            {
                _session.Find("too-many-connections", "login", $"The server refused the login for its session limit: \"{reply.Text}\".", "too-many-connections", "421");
            }
            else if (reply.Code == 530 && _options.User is null)
            {
                _session.Find(new Finding("anonymous-refused", "login", $"The server does not accept anonymous logins (\"{reply.Text}\").",
                    "Anonymous FTP is disabled on this server.", "Give an account: --user NAME, with the password in LINGER_FTP_PASSWORD (or --password-env) or typed at the prompt.", "530"));
            }
            else if (reply.Code == 530)
            {
                _session.Find(new Finding("login-refused", "login", $"The server refused the login of {user} (\"{reply.Text}\").",
                    "A wrong user name or password, a locked account, or a user the server's policy excludes from FTP.", "Check the account and password; on vsftpd also /etc/ftpusers and userlist_enable.", "530"));
            }

            return StageOutcome.Fail($"login refused: {reply.Text}", $"USER {user} / PASS <redacted>", reply.Text);
        }

        // What the server is and offers matters to the rest (EPSV, UTF8, MLST); a refusal here is not a failure.
        await _control.CommandAsync("SYST", ct).ConfigureAwait(false);
        await _control.CommandAsync("FEAT", ct).ConfigureAwait(false);
        var type = await _control.CommandAsync("TYPE I", ct).ConfigureAwait(false);
        return type.IsPositive
            ? StageOutcome.Pass($"USER {user} / PASS <redacted>", reply.Text)
            : StageOutcome.Fail($"TYPE I (binary) refused: {type.Text}", "TYPE I", type.Text);
    }

    private async Task<StageOutcome> PasvAsync(CancellationToken ct)
    {
        var reply = await _control!.CommandAsync("PASV", ct).ConfigureAwait(false);
        if (reply.Code != 227 || !FtpPassiveReply.TryParsePasv(reply.Text, out var announced))
        {
            return StageOutcome.Fail($"expected 227 with an address and port, got {reply.Text}", "PASV", reply.Text);
        }

        var peer = _control.Peer.Address.IsIPv4MappedToIPv6 ? _control.Peer.Address.MapToIPv4() : _control.Peer.Address;
        if (!announced!.Address.Equals(peer))
        {
            if (AddressScope.IsPrivateOrUnroutable(announced.Address))
            {
                _session.Find("ftp-pasv-private-address", "pasv",
                    $"The 227 reply announces {announced.Address}, a private or unroutable address, while the server answered from {peer}: it sits behind NAT without announcing its public address. Clients that obey 227 hang or fail here; the probe connected to {peer} instead, as FileZilla does.",
                    "ftp-passive-port-blocked", "227");
            }

            _session.Info($"227 announces {announced.Address}; connecting to {peer} instead, the address the server answered from");
        }

        return await ConnectPassiveAsync("pasv", new IPEndPoint(_control.Peer.Address, announced.Port), "PASV", reply.Text, ct).ConfigureAwait(false);
    }

    private async Task<StageOutcome> EpsvAsync(CancellationToken ct)
    {
        var reply = await _control!.CommandAsync("EPSV", ct).ConfigureAwait(false);
        if (reply.Code != 229 || !FtpPassiveReply.TryParseEpsv(reply.Text, out var port))
        {
            return StageOutcome.Fail($"expected 229 with a port, got {reply.Text}", "EPSV", reply.Text);
        }

        return await ConnectPassiveAsync("epsv", new IPEndPoint(_control.Peer.Address, port), "EPSV", reply.Text, ct).ConfigureAwait(false);
    }

    private async Task<StageOutcome> ConnectPassiveAsync(string stage, IPEndPoint endPoint, string sent, string received, CancellationToken ct)
    {
        _session.Info($"opening the data connection to {endPoint}");
        try
        {
            _pending = await FtpDataChannel.ConnectAsync(endPoint, ct).ConfigureAwait(false);
            _session.Info($"data connection to {endPoint} established");
            return StageOutcome.Pass(sent, received);
        }
        catch (OperationCanceledException)
        {
            _session.Find("ftp-passive-port-blocked", stage,
                $"The control connection works, but the passive data port {endPoint.Port} did not answer: the connection attempt was dropped silently (filtered), so LIST, RETR and STOR would hang and fail.",
                "ftp-passive-port-blocked", "ETIMEDOUT");
            throw;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
        {
            _session.Find("ftp-passive-port-blocked", stage,
                $"The control connection works, but the passive data port {endPoint.Port} refused the connection (closed, or rejected by a firewall), so LIST, RETR and STOR fail with 425.",
                "ftp-passive-port-blocked", "ECONNREFUSED");
            return new StageOutcome(false, sent, received, ProbeError.From(e) with { Message = $"data connection to {endPoint}: {e.Message}" });
        }
    }

    /// <summary>The data connection already opened by the pasv or epsv stage, or a new one in a passive mode known to
    /// work (or not yet tried).</summary>
    private async Task<FtpDataChannel> TakeChannelAsync(CancellationToken ct)
    {
        if (_pending is { } pending)
        {
            _pending = null;
            return pending;
        }

        if (_epsvWorks != false)
        {
            var reply = await _control!.CommandAsync("EPSV", ct).ConfigureAwait(false);
            if (reply.Code == 229 && FtpPassiveReply.TryParseEpsv(reply.Text, out var port))
            {
                return await FtpDataChannel.ConnectAsync(new IPEndPoint(_control.Peer.Address, port), ct).ConfigureAwait(false);
            }
        }

        var pasv = await _control!.CommandAsync("PASV", ct).ConfigureAwait(false);
        return pasv.Code == 227 && FtpPassiveReply.TryParsePasv(pasv.Text, out var announced)
            ? await FtpDataChannel.ConnectAsync(new IPEndPoint(_control.Peer.Address, announced!.Port), ct).ConfigureAwait(false)
            : throw new IOException($"no passive data connection: {pasv.Text}");
    }

    private async Task<StageOutcome> ListAsync(CancellationToken ct)
    {
        await using var channel = await TakeChannelAsync(ct).ConfigureAwait(false);
        return await ListOverAsync("list", channel, "LIST", ct).ConfigureAwait(false);
    }

    private async Task<StageOutcome> ListOverAsync(string stage, FtpDataChannel channel, string sent, CancellationToken ct)
    {
        var start = await _control!.CommandAsync("LIST", ct).ConfigureAwait(false);
        if (start.Code is not (150 or 125))
        {
            return StageOutcome.Fail($"LIST refused: {start.Text}", sent, start.Text);
        }

        var stream = await channel.OpenAsync(_options.Tls, Host, _options.Insecure, ct).ConfigureAwait(false);
        if (_options.Tls)
        {
            _session.Info("data connection: TLS established");
        }

        var buffer = new byte[16 * 1024];
        long total = 0;
        var lines = 0;
        for (var reads = 0; reads < 1_000_000; reads++)
        {
            var n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
            lines += buffer.AsSpan(0, n).Count((byte)'\n');
        }

        await channel.FinishAsync(ct).ConfigureAwait(false);
        var done = await _control.ReadAsync(ct).ConfigureAwait(false);
        if (FtpTlsDataRefusal.Check(_session, _control, stage, sent, done, Host) is { } refused)
        {
            return refused;
        }

        _session.Info(string.Create(CultureInfo.InvariantCulture, $"listing: {lines} entries, {total} bytes over the data connection"));
        return done.Code == 226
            ? StageOutcome.Pass(sent, done.Text)
            : StageOutcome.Fail($"the listing did not complete: {done.Text}", sent, done.Text);
    }

    private async Task<StageOutcome> ActiveListAsync(string stage, CancellationToken ct)
    {
        var local = _control!.Local.Address.IsIPv4MappedToIPv6 ? _control.Local.Address.MapToIPv4() : _control.Local.Address;
        await using var channel = FtpDataChannel.Listen(local);
        var port = channel.ListenEndPoint!.Port;
        var command = stage == "port"
            ? string.Create(CultureInfo.InvariantCulture, $"PORT {local.ToString().Replace('.', ',')},{port >> 8},{port & 0xFF}")
            : string.Create(CultureInfo.InvariantCulture, $"EPRT |{(local.AddressFamily == AddressFamily.InterNetworkV6 ? 2 : 1)}|{local}|{port}|");
        var reply = await _control.CommandAsync(command, ct).ConfigureAwait(false);
        if (!reply.IsPositive)
        {
            return StageOutcome.Fail($"{command.Split(' ')[0]} refused: {reply.Text}", command, reply.Text);
        }

        var listening = channel.ListenEndPoint!;
        _session.Info($"listening on {listening} for the server's data connection");
        try
        {
            var listed = await ListOverAsync(stage, channel, command, ct).ConfigureAwait(false);
            if (listed.Received?.StartsWith("425", StringComparison.Ordinal) == true)
            {
                ConnectBackFailed(stage, listening, $"answered LIST with \"{listed.Received}\"");
                return StageOutcome.Fail($"the server could not connect back to {listening} for LIST: {listed.Received}", command, listed.Received);
            }

            return listed;
        }
        catch (OperationCanceledException)
        {
            // vsftpd answers LIST only once its connection back succeeded or gave up (connect_timeout, 60 s by default).
            ConnectBackFailed(stage, listening, "did not answer LIST in time: it was still trying to connect back, and no connection arrived");
            throw;
        }
    }

    private void ConnectBackFailed(string stage, IPEndPoint listening, string what)
    {
        var passive = _pasvWorks == true || _epsvWorks == true ? ", which worked in this probe" : string.Empty;
        _session.Find("ftp-active-connect-back-failed", stage,
            $"Active mode failed: after {stage.ToUpperInvariant()} the server could not connect back to {listening}, where the probe listened for the data connection; the server {what}. A firewall or NAT in front of this machine stops incoming connections. Use passive mode (PASV/EPSV){passive}.",
            "ftp-passive-port-blocked", "425");
    }

    private async Task QuitAsync(FtpControl control)
    {
        try
        {
            if (control.Connection.Socket.Connected && !control.Ended)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Min(Timeout.TotalSeconds, 3)));
                await control.CommandAsync("QUIT", cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The session is over either way; QUIT is a courtesy, and the stages already hold what went wrong.
        }
        finally
        {
            await control.DisposeAsync().ConfigureAwait(false);
        }
    }
}
