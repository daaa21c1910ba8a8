using System.Net;

namespace Linger.Probe.Ftp;

/// <summary>The control connection: one command, one numbered reply, and a closed connection is an error saying so.</summary>
internal sealed class FtpControl(LineConnection connection) : IAsyncDisposable
{
    /// <summary>The connection underneath (for TLS).</summary>
    public LineConnection Connection { get; } = connection;

    /// <summary>The address the server answered from: the only one the probe sends data connections to.</summary>
    public IPEndPoint Peer { get; } = (IPEndPoint)connection.Socket.RemoteEndPoint!;

    /// <summary>The probe's own end, where active mode listens.</summary>
    public IPEndPoint Local { get; } = (IPEndPoint)connection.Socket.LocalEndPoint!;

    /// <summary>Sends <paramref name="line"/> and reads the reply; <paramref name="display"/> replaces the line in the
    /// transcript (PASS).</summary>
    public async Task<NumberedReply> CommandAsync(string line, CancellationToken cancellationToken, string? display = null)
    {
        await Connection.WriteLineAsync(line, cancellationToken, display).ConfigureAwait(false);
        return await ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the next reply.</summary>
    /// <exception cref="FtpControlClosedException">The server closed the control connection.</exception>
    public async Task<NumberedReply> ReadAsync(CancellationToken cancellationToken) =>
        await Connection.ReadReplyAsync(cancellationToken).ConfigureAwait(false) ?? throw new FtpControlClosedException();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

/// <summary>The server closed the control connection where a reply was due.</summary>
internal sealed class FtpControlClosedException() : IOException("the server closed the control connection instead of replying");
