using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Linger.Tests.Probe;

/// <summary>
/// A small real HTTP/1.1 server on loopback (over <see cref="TcpTestServer"/>, so it is stopped the same way): it
/// reads the request head, and when the announced body is larger than <c>maxBody</c> it answers 413 at once and
/// closes without reading the body (the kernel then resets the connection, as many servers do); otherwise it reads
/// the body and answers 200. With a certificate it speaks TLS.
/// </summary>
internal static class HttpTestServer
{
    public static TcpTestServer Start(long maxBody, X509Certificate2? certificate = null) =>
        TcpTestServer.Start(async (socket, _, ct) =>
        {
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (certificate is not null)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, ct);
                stream = ssl;
            }

            await using (stream)
            {
                var contentLength = await ReadHeadAsync(stream, ct);
                if (contentLength > maxBody)
                {
                    await AnswerAsync(stream, "413 Payload Too Large", "too large\n", ct);
                    socket.Close(); // unread body in the receive queue: the kernel sends RST
                    return;
                }

                var buffer = new byte[64 * 1024];
                for (long read = 0; read < contentLength;)
                {
                    var n = await stream.ReadAsync(buffer, ct);
                    if (n == 0)
                    {
                        return;
                    }

                    read += n;
                }

                await AnswerAsync(stream, "200 OK", "hello\n", ct);
                socket.Shutdown(SocketShutdown.Send);
            }
        });

    /// <summary>A self-signed certificate for <c>localhost</c>, made now, valid for a day.</summary>
    public static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private static async Task<long> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 16 * 1024)
        {
            if (await stream.ReadAsync(one, ct) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        foreach (var line in head.ToString().Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return long.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static async Task AnswerAsync(Stream stream, string status, string body, CancellationToken ct)
    {
        var text = $"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct);
        await stream.FlushAsync(ct);
    }
}
