using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Linger.Probe.Ftp;

/// <summary>The control connection: one command, one numbered reply, and a closed connection is an error saying so.</summary>
internal sealed class FtpControl(LineConnection connection) : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The connection underneath (for TLS).</summary>
    public LineConnection Connection { get; } = connection;

    /// <summary>The address the server answered from: the only one the probe sends data connections to.</summary>
    public IPEndPoint Peer { get; } = (IPEndPoint)connection.Socket.RemoteEndPoint!;

    /// <summary>The probe's own end, where active mode listens.</summary>
    public IPEndPoint Local { get; } = (IPEndPoint)connection.Socket.LocalEndPoint!;

    /// <summary>
    /// True once the server ended the session: it closed the connection where a reply was due, or said it would
    /// (421; vsftpd's 522 for a refused TLS data connection). Nothing more can be asked on it.
    /// </summary>
    public bool Ended { get; private set; }

    /// <summary>The 421 with which the server ended the session, if it did so.</summary>
    public NumberedReply? EndReply { get; private set; }

    /// <summary>Records that the server ended the session.</summary>
    public void MarkEnded() => Ended = true;

    /// <summary>Sends <paramref name="line"/> and reads the reply; <paramref name="display"/> replaces the line in the
    /// transcript (PASS). Nothing is sent once the session has <see cref="Ended"/>.</summary>
    /// <exception cref="FtpControlClosedException">The session had ended, or the server closed the connection.</exception>
    public async Task<NumberedReply> CommandAsync(string line, CancellationToken cancellationToken, string? display = null)
    {
        if (Ended)
        {
            throw new FtpControlClosedException(EndReply is { } end
                ? $"the server had ended the session (\"{end.Text}\"), so {(display ?? line).Split(' ')[0]} was not sent"
                : "the server had closed the control connection");
        }

        await Connection.WriteLineAsync(line, cancellationToken, display).ConfigureAwait(false);
        return await ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the next reply; a 421 marks the session <see cref="Ended"/>.</summary>
    /// <exception cref="FtpControlClosedException">The server closed the control connection.</exception>
    public async Task<NumberedReply> ReadAsync(CancellationToken cancellationToken)
    {
        return Note(await Connection.ReadReplyAsync(cancellationToken).ConfigureAwait(false)) ?? throw new FtpControlClosedException();
    }

    /// <summary>
    /// Reads the next reply, waiting at most <paramref name="wait"/>; null when the server closed the connection
    /// instead. For replies nobody asked for (a timeout's 421). Like <see cref="ReadAsync"/>, a 421 or the close marks
    /// the session <see cref="Ended"/>.
    /// </summary>
    public async Task<NumberedReply?> ReadWithinAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(wait);
        return Note(await Connection.ReadReplyAsync(cts.Token).ConfigureAwait(false));
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> for the server to send something, close or reset, without reading it, so that
    /// running out of time leaves the connection, and TLS over it, untouched. True when something arrived.
    /// </summary>
    public async Task<bool> WaitForServerAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        // A readiness poll every 100 ms rather than a zero-byte receive: in tests such a receive now and then
        // completed at once with nothing to read, and the reply read after it waited out its whole timeout. What came
        // with an earlier reply is already in the buffer, where the socket cannot show it.
        var waited = Stopwatch.StartNew();
        while (!Connection.HasBufferedInput && !Connection.Socket.Poll(0, SelectMode.SelectRead))
        {
            var left = wait - waited.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.Delay(left < PollInterval ? left : PollInterval, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    /// <summary>
    /// A close (null) or a 421 ends the session: RFC 959 lets a 421 answer any command, and the server closes the
    /// connection after it.
    /// </summary>
    private NumberedReply? Note(NumberedReply? reply)
    {
        if (reply is null || reply.Code == 421)
        {
            EndReply ??= reply;
            MarkEnded();
        }

        return reply;
    }
}

/// <summary>The server closed the control connection where a reply was due.</summary>
internal sealed class FtpControlClosedException(string message = "the server closed the control connection instead of replying") : IOException(message);
