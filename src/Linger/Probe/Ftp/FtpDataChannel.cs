using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Linger.Probe.Ftp;

/// <summary>
/// One data connection: in passive mode already connected to the server's data port; in active mode a listener the
/// server connects back to once the transfer command is sent. With FTPS (PROT P) the probe is the TLS client on it in
/// both modes.
/// </summary>
internal sealed class FtpDataChannel : IAsyncDisposable
{
    private readonly Socket? _listener;
    private Socket? _socket;
    private Stream? _stream;

    private FtpDataChannel(Socket? socket, Socket? listener)
    {
        _socket = socket;
        _listener = listener;
    }

    /// <summary>Where an active-mode channel listens.</summary>
    public IPEndPoint? ListenEndPoint => (IPEndPoint?)_listener?.LocalEndPoint;

    /// <summary>Passive mode: connects to the server's data port now.</summary>
    public static async Task<FtpDataChannel> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new FtpDataChannel(socket, null);
    }

    /// <summary>Active mode: listens on <paramref name="local"/> (the control connection's own address), any port.</summary>
    public static FtpDataChannel Listen(IPAddress local)
    {
        var listener = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(local, 0));
            listener.Listen(1);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new FtpDataChannel(null, listener);
    }

    /// <summary>
    /// The stream, once the transfer command was accepted: in active mode waits for the server's connection; with
    /// <paramref name="tls"/> runs the TLS handshake (a certificate problem fails it unless <paramref name="insecure"/>).
    /// </summary>
    public async Task<Stream> OpenAsync(bool tls, string targetHost, bool insecure, CancellationToken cancellationToken)
    {
        if (_stream is not null)
        {
            return _stream;
        }

        _socket ??= await _listener!.AcceptAsync(cancellationToken).ConfigureAwait(false);
        Stream stream = new NetworkStream(_socket, ownsSocket: true);
        if (tls)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None || insecure,
            };
            try
            {
                await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            stream = ssl;
        }

        _stream = stream;
        return stream;
    }

    /// <summary>
    /// Ends the probe's side of the data connection: TLS close_notify (with FTPS), then FIN. After STOR this is how the
    /// probe says "end of file". After LIST or RETR it answers the server's own close_notify: vsftpd waits for it (its
    /// second SSL_shutdown reads until the peer's close_notify or EOF) before it sends 226 on the control connection,
    /// so a client that reads the data to its end and then waits for 226 with the data connection open hangs.
    /// </summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_stream is not SslStream ssl)
        {
            _socket?.Shutdown(SocketShutdown.Send);
            return;
        }

        await ssl.ShutdownAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _socket?.Shutdown(SocketShutdown.Send);

        // Read on to the server's close_notify. Besides closing TLS cleanly, this takes in the session ticket the
        // server sent after a resumed handshake: the client's cache gives each ticket out once (TLS 1.3), so a data
        // connection that only wrote (STOR) would otherwise leave nothing to resume for the next one, and a server
        // that requires session reuse (vsftpd's default) would refuse it with 522.
        var rest = new byte[4096];
        for (var reads = 0; reads < 64; reads++)
        {
            if (await ssl.ReadAsync(rest, cancellationToken).ConfigureAwait(false) == 0)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _socket?.Dispose();
        }

        _listener?.Dispose();
    }
}
