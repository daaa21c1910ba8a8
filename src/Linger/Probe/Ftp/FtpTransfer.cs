using System.Globalization;
using System.Net.Sockets;

namespace Linger.Probe.Ftp;

/// <summary>
/// The upload and download stages: STOR then RETR of the same test file over fresh data connections, every byte
/// checked, then DELE. A reset, a broken pipe or a stall part-way is the classic "10054 on upload" and becomes the
/// finding <c>ftp-data-transfer-interrupted</c> with how far the transfer got.
/// </summary>
internal sealed class FtpTransfer(ProbeSession session, FtpProbeOptions options, FtpTestFile file, string name)
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>True once the server accepted STOR: from then on (a part of) the test file may be on the server.</summary>
    public bool Stored { get; private set; }

    /// <summary>STOR: sends the whole file, closes the data connection, and waits for 226.</summary>
    public async Task<StageOutcome> UploadAsync(FtpControl control, Func<CancellationToken, Task<FtpDataChannel>> takeChannel, CancellationToken ct)
    {
        var command = $"STOR {name}";
        await using var channel = await takeChannel(ct).ConfigureAwait(false);
        var start = await control.CommandAsync(command, ct).ConfigureAwait(false);
        if (start.Code is not (150 or 125))
        {
            return StageOutcome.Fail($"the server refused the upload: {start.Text}", command, start.Text);
        }

        Stored = true;
        var stream = await channel.OpenAsync(options.Tls, options.Target.Host, options.Insecure, ct).ConfigureAwait(false);
        var buffer = new byte[ChunkBytes];
        long sent = 0;
        session.Info(string.Create(CultureInfo.InvariantCulture, $"sending {file.Size} bytes"));
        using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            try
            {
                var stalled = false;
                while (sent < file.Size)
                {
                    if (options.Stall is { } stall && !stalled && sent >= file.Size / 2)
                    {
                        stalled = true;
                        idle.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
                        if (await StallAsync(control, stall, command, sent, ct).ConfigureAwait(false) is { } ended)
                        {
                            return ended;
                        }
                    }

                    var n = (int)Math.Min(buffer.Length, file.Size - sent);
                    if (options.Stall is not null && !stalled)
                    {
                        // Stop exactly halfway, so the pause comes even when the whole file fits one chunk.
                        n = (int)Math.Min(n, (file.Size / 2) - sent);
                    }

                    file.Fill(sent, buffer.AsSpan(0, n));
                    idle.CancelAfter(options.Timeout);
                    await stream.WriteAsync(buffer.AsMemory(0, n), idle.Token).ConfigureAwait(false);
                    sent += n;
                }

                await channel.FinishAsync(idle.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                return Interrupted("upload", command, sent, e, ct);
            }
        }

        session.Info(string.Create(CultureInfo.InvariantCulture, $"sent {sent} bytes; data connection closed, waiting for the server's confirmation"));
        var (done, failed) = await ReadEndAsync(control, "upload", command, sent, ct).ConfigureAwait(false);
        if (done is null)
        {
            return failed!;
        }

        if (done.Code is 426 or 451)
        {
            return Interrupted("upload", command, sent, new IOException(done.Text), ct);
        }

        return done.Code == 226
            ? StageOutcome.Pass(string.Create(CultureInfo.InvariantCulture, $"{command} ({sent} bytes)"), done.Text)
            : StageOutcome.Fail($"the upload was not confirmed: {done.Text}", command, done.Text);
    }

    /// <summary>
    /// The pause of <see cref="FtpProbeOptions.Stall"/>: halfway through the upload the probe sends nothing for that
    /// long and watches the control connection, as when a client is slowed down, suspended or waits on a scanner. A
    /// server whose data timeout is shorter ends the transfer (vsftpd's data_connection_timeout: "421 Data timeout.
    /// Reconnect. Sorry." and both connections closed). Returns the failed stage when it did, null to go on sending.
    /// </summary>
    private async Task<StageOutcome?> StallAsync(FtpControl control, TimeSpan stall, string command, long sent, CancellationToken ct)
    {
        var seconds = stall.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        session.Info(string.Create(CultureInfo.InvariantCulture, $"pausing the upload for {seconds} s after {sent} of {file.Size} bytes"));
        var startedMs = session.ElapsedMs;
        if (!await control.WaitForServerAsync(stall, ct).ConfigureAwait(false))
        {
            session.Info("resuming the upload");
            return null;
        }

        var paused = ((session.ElapsedMs - startedMs) / 1000).ToString("0.#", CultureInfo.InvariantCulture);
        var reply = await control.ReadWithinAsync(options.Timeout, ct).ConfigureAwait(false);
        control.MarkEnded();
        var said = reply is null ? "closed the control connection (FIN) without a reply" : $"answered \"{reply.Text}\"";
        session.Find("ftp-data-timeout", "upload",
            string.Create(CultureInfo.InvariantCulture, $"The upload paused for {paused} s after {sent} of {file.Size} bytes, and the server {said}: it lets a transfer stall only that long (vsftpd: data_connection_timeout, 300 s by default). A client that is slowed down, suspended or waiting on a virus scanner meets the same limit."),
            "server-idle-timeout", reply?.Code == 421 ? "421" : null);
        return StageOutcome.Fail($"the server ended the stalled upload after {paused} s: {reply?.Text ?? "FIN"}", command, reply?.Text ?? "FIN");
    }

    /// <summary>RETR: reads the file back and compares every byte with what was sent.</summary>
    public async Task<StageOutcome> DownloadAsync(FtpControl control, Func<CancellationToken, Task<FtpDataChannel>> takeChannel, CancellationToken ct)
    {
        var command = $"RETR {name}";
        await using var channel = await takeChannel(ct).ConfigureAwait(false);
        var start = await control.CommandAsync(command, ct).ConfigureAwait(false);
        if (start.Code is not (150 or 125))
        {
            return StageOutcome.Fail($"the server refused the download: {start.Text}", command, start.Text);
        }

        var stream = await channel.OpenAsync(options.Tls, options.Target.Host, options.Insecure, ct).ConfigureAwait(false);
        var buffer = new byte[ChunkBytes];
        long received = 0;
        using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            try
            {
                // Bounded: a server that sends more than the file is stopped at the first byte too many.
                while (received <= file.Size)
                {
                    idle.CancelAfter(options.Timeout);
                    var n = await stream.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    var valid = (int)Math.Min(n, file.Size - received);
                    var wrong = file.FirstMismatch(received, buffer.AsSpan(0, valid));
                    if (wrong >= 0 || valid < n)
                    {
                        var at = received + (wrong >= 0 ? wrong : valid);
                        session.Find(new Finding("download-differs", "download",
                            string.Create(CultureInfo.InvariantCulture, $"The file read back differs from the one sent, from byte {at} of {file.Size} on."),
                            "Something rewrote the data: ASCII mode conversion, a proxy or anti-virus scanning FTP, or a server that stored another file.",
                            "Transfer in binary mode (TYPE I) and check what sits between client and server.", null));
                        return StageOutcome.Fail(string.Create(CultureInfo.InvariantCulture, $"the content differs from byte {at} on"), command);
                    }

                    received += n;
                }

                idle.CancelAfter(options.Timeout);
                await channel.FinishAsync(idle.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                return Interrupted("download", command, received, e, ct);
            }
        }

        var (done, failed) = await ReadEndAsync(control, "download", command, received, ct).ConfigureAwait(false);
        if (done is null)
        {
            return failed!;
        }

        if (received < file.Size || done.Code is 426 or 451)
        {
            return Interrupted("download", command, received, new IOException($"the data connection ended early; the server said {done.Text}"), ct);
        }

        session.Info(string.Create(CultureInfo.InvariantCulture, $"received {received} bytes, every byte as sent"));
        return done.Code == 226
            ? StageOutcome.Pass(command, done.Text)
            : StageOutcome.Fail($"the download was not confirmed: {done.Text}", command, done.Text);
    }

    /// <summary>DELE: removes the test file; a failure is reported in the transcript, since the server keeps the file.</summary>
    public async Task DeleteAsync(FtpControl control, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            var reply = await control.CommandAsync($"DELE {name}", cts.Token).ConfigureAwait(false);
            if (reply.Code != 250)
            {
                session.Error($"the test file {name} could not be deleted: {reply.Text}");
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            session.Error($"the test file {name} could not be deleted: {e.Message}");
        }
    }

    /// <summary>
    /// The server's reply at the end of a transfer, or instead the failed stage: the control connection closed, or the
    /// server refused the TLS data connection.
    /// </summary>
    private async Task<(NumberedReply? Reply, StageOutcome? Failed)> ReadEndAsync(FtpControl control, string stage, string command, long done, CancellationToken ct)
    {
        NumberedReply reply;
        try
        {
            reply = await control.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (FtpControlClosedException e)
        {
            return (null, Interrupted(stage, command, done, e, ct));
        }

        return FtpTlsDataRefusal.Check(session, control, stage, command, reply, options.Target.Host) is { } refused
            ? (null, refused)
            : (reply, null);
    }

    private StageOutcome Interrupted(string stage, string command, long done, Exception e, CancellationToken stageToken)
    {
        var error = e switch
        {
            OperationCanceledException when stageToken.IsCancellationRequested => ProbeError.Of("the transfer did not finish within the stage's time limit"),
            OperationCanceledException => ProbeError.Of(string.Create(CultureInfo.InvariantCulture, $"no progress for {options.Timeout.TotalSeconds:0.#} s")),
            _ => ProbeError.From(e),
        };
        var code = error.SocketError switch
        {
            SocketError.ConnectionReset => "ECONNRESET",
            SocketError.Shutdown => "EPIPE",
            _ => e is OperationCanceledException ? "ETIMEDOUT" : null,
        };
        session.Find("ftp-data-transfer-interrupted", stage,
            string.Create(CultureInfo.InvariantCulture, $"The {stage} broke after {done} of {file.Size} bytes: {error.Message}."),
            "ftp-data-transfer-interrupted", code);
        return new StageOutcome(false, command, null, error with { Message = string.Create(CultureInfo.InvariantCulture, $"after {done} of {file.Size} bytes: {error.Message}") });
    }
}
