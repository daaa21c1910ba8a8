using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Linger.Tests.Probe;

/// <summary>
/// A line-protocol server of the tests' own (SMTP, FTP's control connection), on a free loopback port, for what real
/// servers will not do on demand (a reset right after EHLO, a 421 greeting, two replies in one segment). Each accepted
/// connection runs the script given; Dispose stops the listener and waits (at most 5 s) for the connections to end.
/// </summary>
public sealed class ScriptedLineServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ScriptedLineServer(Func<ScriptedLineClient, CancellationToken, Task> script)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(script);
    }

    public int Port { get; }

    /// <summary>Every line the server received, from every connection.</summary>
    public List<string> Received { get; } = [];

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _accepting.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private async Task AcceptAsync(Func<ScriptedLineClient, CancellationToken, Task> script)
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested && connections.Count < 100)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                connections.Add(Task.Run(async () =>
                {
                    using var client = new ScriptedLineClient(socket, Received);
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(30));
                    try
                    {
                        await script(client, timeout.Token);
                    }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                    {
                        // The probe hung up or the test ended: nothing to serve any more.
                    }
                }));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}

/// <summary>One connection to <see cref="ScriptedLineServer"/>: lines in and out (LF sent as CRLF), and a reset.</summary>
public sealed class ScriptedLineClient(Socket socket, List<string> received) : IDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: false);
    private readonly StreamReader _reader = new(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);

    public async Task SendAsync(string lines, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(lines.Replace("\n", "\r\n", StringComparison.Ordinal)), cancellationToken);

    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = await _reader.ReadLineAsync(cancellationToken);
        if (line is not null)
        {
            lock (received)
            {
                received.Add(line);
            }
        }

        return line;
    }

    /// <summary>Closes with RST (SO_LINGER 0), as an anti-spam filter or a proxy cutting a connection does.</summary>
    public void Reset()
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
        socket.Dispose();
    }
}
