using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Linger.Probe;

/// <summary>
/// A TCP connection that speaks a line protocol (SMTP, FTP control, HTTP headers), optionally over TLS, recording every
/// line it sends (<c>-&gt;</c>) and receives (<c>&lt;-</c>) in the session's transcript. Reads are bounded: a line
/// longer than <see cref="MaxLineBytes"/> is an error, never unbounded memory.
/// </summary>
public sealed class LineConnection : IAsyncDisposable
{
    /// <summary>The longest line accepted from a server.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private readonly ProbeSession _session;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private Stream _stream;
    private int _start;
    private int _end;

    private LineConnection(ProbeSession session, Socket socket)
    {
        _session = session;
        Socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>The underlying socket.</summary>
    public Socket Socket { get; }

    /// <summary>True once TLS is running.</summary>
    public bool IsTls => _stream is SslStream;

    /// <summary>The certificate problem TLS reported, when <c>--insecure</c> let the handshake go on anyway.</summary>
    public string? CertificateProblem { get; private set; }

    /// <summary>The TLS protocol and cipher, once negotiated.</summary>
    public string? TlsDescription { get; private set; }

    /// <summary>Connects to <paramref name="endPoint"/>.</summary>
    public static async Task<LineConnection> ConnectAsync(ProbeSession session, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new LineConnection(session, socket);
    }

    /// <summary>
    /// Starts TLS (implicit TLS right after connecting, or after STARTTLS / AUTH TLS). Certificate problems fail the
    /// handshake unless <paramref name="insecure"/>; then they are kept in <see cref="CertificateProblem"/>.
    /// </summary>
    public async Task StartTlsAsync(string targetHost, bool insecure, CancellationToken cancellationToken)
    {
        if (_start != _end)
        {
            throw new InvalidOperationException("the server sent data before the TLS handshake (a protocol error or an injection attempt)");
        }

        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            RemoteCertificateValidationCallback = (_, _, chain, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                CertificateProblem = Describe(errors, chain);
                return insecure;
            },
        };
        _session.Info($"TLS handshake with {targetHost}");
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException) when (CertificateProblem is { } problem && !insecure)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException($"the server's certificate is not trusted: {problem} (--insecure proceeds anyway)");
        }

        _stream = ssl;
        TlsDescription = string.Create(CultureInfo.InvariantCulture, $"{ssl.SslProtocol}, {ssl.NegotiatedCipherSuite}");
        _session.Info($"TLS established: {TlsDescription}" + (CertificateProblem is { } p ? $"; certificate NOT trusted ({p}), continuing because of --insecure" : string.Empty));
    }

    /// <summary>Sends one line (CRLF added). <paramref name="display"/> replaces the text in the transcript (for AUTH).</summary>
    public async Task WriteLineAsync(string line, CancellationToken cancellationToken, string? display = null)
    {
        ArgumentNullException.ThrowIfNull(line);
        _session.Sent(display ?? line);
        var bytes = Encoding.UTF8.GetBytes(line + "\r\n");
        await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends raw bytes (a message body, an HTTP body); recorded as one summary line.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, string what, CancellationToken cancellationToken)
    {
        _session.Sent(what);
        await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends raw bytes without a transcript line: a large body goes out in chunks the caller records once.</summary>
    public async Task WriteUnrecordedAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Bytes the server sent are already read into this connection's buffer, unread: a socket readiness check does not
    /// see them.
    /// </summary>
    public bool HasBufferedInput => _start != _end;

    /// <summary>
    /// Reads raw bytes (a response body), bytes already buffered by line reads first; 0 at the end of the stream.
    /// Not recorded: the caller summarises.
    /// </summary>
    public async Task<int> ReadUnrecordedAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_start != _end)
        {
            var n = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(destination);
            _start += n;
            return n;
        }

        return await _stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads one line (without its CRLF), or null at the end of the stream (the server closed: recorded as such).
    /// </summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == '\r')
                {
                    length--;
                }

                var line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = newline + 1;
                _session.Received(line);
                return line;
            }

            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new IOException($"the server sent a line longer than {_buffer.Length} bytes without a line end");
            }

            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                _session.Info("the server closed the connection (end of stream)");
                return null;
            }

            _end += n;
        }
    }

    /// <summary>
    /// Reads one reply of a protocol with numbered replies (SMTP, FTP): lines <c>NNN-text</c> until <c>NNN text</c>.
    /// Null at the end of the stream.
    /// </summary>
    public async Task<NumberedReply?> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (lines.Count < 1000)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                return lines.Count == 0 ? null : NumberedReply.Parse(lines);
            }

            lines.Add(line);
            if (line.Length >= 4 && char.IsAsciiDigit(line[0]) && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2]) && line[3] == ' ')
            {
                return NumberedReply.Parse(lines);
            }

            if (line.Length == 3 && int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return NumberedReply.Parse(lines);
            }
        }

        throw new IOException("the server sent a reply of more than 1000 lines");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _stream.DisposeAsync().ConfigureAwait(false);

    private static string Describe(SslPolicyErrors errors, X509Chain? chain)
    {
        var parts = new List<string>();
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            parts.Add("no certificate");
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            parts.Add("the name does not match the host");
        }

        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            if (chain is not null)
            {
                foreach (var status in chain.ChainStatus)
                {
                    parts.Add(status.StatusInformation.Trim().Length > 0 ? status.StatusInformation.Trim() : status.Status.ToString());
                }
            }
            else
            {
                parts.Add("the chain does not lead to a trusted root");
            }
        }

        return string.Join("; ", parts);
    }
}

/// <summary>A numbered reply (SMTP, FTP): its code and its lines' text.</summary>
/// <param name="Code">The three-digit code, or 0 when the reply did not start with one.</param>
/// <param name="Lines">The text of each line after the code and separator.</param>
public sealed record NumberedReply(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>The reply as one line: <c>250 mail.example.com | PIPELINING | ...</c>.</summary>
    public string Text => $"{Code} {string.Join(" | ", Lines)}";

    /// <summary>Positive completion (2xx).</summary>
    public bool IsPositive => Code is >= 200 and < 300;

    internal static NumberedReply Parse(List<string> lines)
    {
        var code = 0;
        var texts = new List<string>(lines.Count);
        foreach (var line in lines)
        {
            if (line.Length >= 3 && int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var c))
            {
                code = code == 0 ? c : code;
                texts.Add(line.Length > 4 ? line[4..] : string.Empty);
            }
            else
            {
                texts.Add(line);
            }
        }

        return new NumberedReply(code, texts);
    }
}
