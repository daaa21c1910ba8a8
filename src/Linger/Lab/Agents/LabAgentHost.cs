using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Linger.Lab.Agents;

/// <summary>
/// The lab agent: a process that plays one side of a scenario (the server) on real sockets, driven by one command per
/// line on its input and answering exactly one line per command on its output. Scenarios start it as a separate
/// process when the story needs a process to crash (SIGKILL) or restart.
/// </summary>
/// <remarks>
/// <para>The protocol. On start the agent prints <c>ready pid=N</c>. Commands (connections are numbered from 1 in
/// the order they are accepted; times are in milliseconds):</para>
/// <list type="bullet">
/// <item><c>listen ADDR PORT [BACKLOG]</c>: bind (with SO_REUSEADDR, as servers do so that a restart can listen
/// again at once) and listen.</item>
/// <item><c>accept [TIMEOUT]</c>: accept one connection; answers <c>conn=K peer=ADDR:PORT</c>.</item>
/// <item><c>read K MAX [TIMEOUT]</c>: one receive of at most MAX bytes; <c>bytes=0</c> is the end of the stream.</item>
/// <item><c>write K N [TIMEOUT]</c>: send N bytes (the letter x) until all are sent.</item>
/// <item><c>shutdown K wr|rd|rdwr</c>, <c>linger K 0|1 SECONDS</c> (SO_LINGER), <c>close K</c>.</item>
/// <item><c>quit</c>: answer and exit; so does the end of the input.</item>
/// </list>
/// <para>Answers: <c>ok [bytes=N] [conn=K peer=...] [message=...]</c>;
/// <c>error socket_error=NAME errno=N [bytes=N] message=TEXT</c> (the .NET SocketError name and the kernel's
/// errno); <c>timeout ms=N [bytes=N]</c> when the call did not complete in time; <c>bad message=TEXT</c> for a
/// command the agent cannot understand or play. The <c>message=</c> field is always last and runs to the end of
/// the line.</para>
/// </remarks>
public static class LabAgentHost
{
    /// <summary>The longest an agent lives: a forgotten agent exits on its own.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private const int MaxCommands = 100_000;
    private const int MaxTimeoutMs = 60_000;
    private const int MaxReadBytes = 16 * 1024 * 1024;
    private const int DefaultAcceptMs = 5_000;
    private const int DefaultReadMs = 3_000;
    private const int DefaultWriteMs = 3_000;

    /// <summary>
    /// Plays commands from <paramref name="input"/> until <c>quit</c>, the end of the input, cancellation or
    /// <see cref="Lifetime"/>, answering on <paramref name="output"/>. Returns the process exit code (0).
    /// </summary>
    public static async Task<int> RunAsync(TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        using var life = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        life.CancelAfter(Lifetime);
        var session = new Session();
        try
        {
            await Answer(output, new AgentReply { Status = AgentReply.Ready, Fields = Field("pid", Environment.ProcessId) }).ConfigureAwait(false);
            for (var i = 0; i < MaxCommands; i++)
            {
                string? line;
                try
                {
                    // WaitAsync: a console reader may ignore the token, and the lifetime must still end the agent.
                    line = await input.ReadLineAsync(life.Token).AsTask().WaitAsync(life.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (line is null)
                {
                    break;
                }

                if (line.Trim().Length == 0)
                {
                    continue;
                }

                var (reply, quit) = await session.PlayAsync(line, life.Token).ConfigureAwait(false);
                await Answer(output, reply).ConfigureAwait(false);
                if (quit)
                {
                    break;
                }
            }
        }
        finally
        {
            session.Dispose();
        }

        return 0;
    }

    private static async Task Answer(TextWriter output, AgentReply reply)
    {
        await output.WriteLineAsync(reply.Format()).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    private static Dictionary<string, string> Field(string key, long value) =>
        new(StringComparer.Ordinal) { [key] = value.ToString(CultureInfo.InvariantCulture) };

    private static AgentReply Bad(string message) => new() { Status = AgentReply.Bad, Message = message };

    private static AgentReply Done(long? bytes = null, string? message = null) =>
        new() { Status = AgentReply.Ok, Fields = bytes is { } n ? Field("bytes", n) : new Dictionary<string, string>(), Message = message };

    private static AgentReply TimedOut(int ms, long? bytes = null)
    {
        var fields = Field("ms", ms);
        if (bytes is { } n)
        {
            fields["bytes"] = n.ToString(CultureInfo.InvariantCulture);
        }

        return new AgentReply { Status = AgentReply.Timeout, Fields = fields };
    }

    /// <summary>The agent's sockets: at most one listener, and the connections it accepted.</summary>
    private sealed class Session : IDisposable
    {
        private readonly List<Socket> _connections = [];
        private Socket? _listener;

        public async Task<(AgentReply Reply, bool Quit)> PlayAsync(string line, CancellationToken ct)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            try
            {
                return words[0] switch
                {
                    "quit" => (Done(), true),
                    "listen" => (Listen(words), false),
                    "accept" => (await AcceptAsync(words, ct).ConfigureAwait(false), false),
                    "read" => (await ReadAsync(words, ct).ConfigureAwait(false), false),
                    "write" => (await WriteAsync(words, ct).ConfigureAwait(false), false),
                    "shutdown" => (Shutdown(words), false),
                    "linger" => (Linger(words), false),
                    "close" => (Close(words), false),
                    _ => (Bad($"unknown command '{words[0]}'; commands: listen, accept, read, write, shutdown, linger, close, quit"), false),
                };
            }
            catch (SocketException e)
            {
                return (AgentReply.FromSocketError(e), false);
            }
            catch (ObjectDisposedException)
            {
                return (Bad("that connection is closed"), false);
            }
        }

        public void Dispose()
        {
            _listener?.Dispose();
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }

        private AgentReply Listen(string[] words)
        {
            if (words.Length is < 3 or > 4 || !IPAddress.TryParse(words[1], out var address) || !TryNumber(words[2], 1, 65535, out var port))
            {
                return Bad("usage: listen ADDR PORT [BACKLOG]");
            }

            var backlog = 16;
            if (words.Length == 4 && !TryNumber(words[3], 0, 65535, out backlog))
            {
                return Bad("BACKLOG must be a number from 0 to 65535");
            }

            if (_listener is not null)
            {
                return Bad("already listening");
            }

            var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(new IPEndPoint(address, port));
                listener.Listen(backlog);
            }
            catch
            {
                listener.Dispose();
                throw;
            }

            _listener = listener;
            return Done();
        }

        private async Task<AgentReply> AcceptAsync(string[] words, CancellationToken ct)
        {
            if (_listener is null)
            {
                return Bad("listen first");
            }

            if (!TryTimeout(words, 1, DefaultAcceptMs, out var ms))
            {
                return Bad("usage: accept [TIMEOUT_MS]");
            }

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(ms);
            try
            {
                var connection = await _listener.AcceptAsync(limit.Token).ConfigureAwait(false);
                _connections.Add(connection);
                var fields = Field("conn", _connections.Count);
                fields["peer"] = connection.RemoteEndPoint?.ToString() ?? "?";
                return new AgentReply { Status = AgentReply.Ok, Fields = fields };
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return TimedOut(ms);
            }
        }

        private async Task<AgentReply> ReadAsync(string[] words, CancellationToken ct)
        {
            if (words.Length is < 3 or > 4 || !TryConnection(words[1], out var connection) || !TryNumber(words[2], 1, MaxReadBytes, out var max)
                || !TryTimeout(words, 3, DefaultReadMs, out var ms))
            {
                return Bad($"usage: read CONN MAX [TIMEOUT_MS] (CONN an accepted connection, MAX 1 to {MaxReadBytes})");
            }

            var buffer = new byte[max];
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(ms);
            try
            {
                var n = await connection.ReceiveAsync(buffer, SocketFlags.None, limit.Token).ConfigureAwait(false);
                return Done(n, n == 0 ? "end of stream (the peer sent FIN)" : Preview(buffer.AsSpan(0, n)));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return TimedOut(ms);
            }
        }

        private async Task<AgentReply> WriteAsync(string[] words, CancellationToken ct)
        {
            if (words.Length is < 3 or > 4 || !TryConnection(words[1], out var connection) || !TryNumber(words[2], 1, MaxReadBytes, out var count)
                || !TryTimeout(words, 3, DefaultWriteMs, out var ms))
            {
                return Bad($"usage: write CONN N [TIMEOUT_MS] (N 1 to {MaxReadBytes})");
            }

            var data = new byte[count];
            data.AsSpan().Fill((byte)'x');
            long sent = 0;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(ms);
            try
            {
                while (sent < count)
                {
                    sent += await connection.SendAsync(data.AsMemory((int)sent), SocketFlags.None, limit.Token).ConfigureAwait(false);
                }
            }
            catch (SocketException e)
            {
                return AgentReply.FromSocketError(e, sent);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return TimedOut(ms, sent);
            }

            return Done(sent);
        }

        private AgentReply Shutdown(string[] words)
        {
            SocketShutdown? how = words.Length == 3 ? words[2] switch
            {
                "wr" => SocketShutdown.Send,
                "rd" => SocketShutdown.Receive,
                "rdwr" => SocketShutdown.Both,
                _ => null,
            } : null;
            if (how is null || !TryConnection(words[1], out var connection))
            {
                return Bad("usage: shutdown CONN wr|rd|rdwr");
            }

            connection.Shutdown(how.Value);
            return Done();
        }

        private AgentReply Linger(string[] words)
        {
            if (words.Length != 4 || !TryConnection(words[1], out var connection) || !TryNumber(words[2], 0, 1, out var on) || !TryNumber(words[3], 0, 3600, out var seconds))
            {
                return Bad("usage: linger CONN 0|1 SECONDS");
            }

            connection.LingerState = new LingerOption(on == 1, seconds);
            return Done();
        }

        private AgentReply Close(string[] words)
        {
            if (words.Length != 2 || !TryConnection(words[1], out var connection))
            {
                return Bad("usage: close CONN");
            }

            connection.Close();
            return Done();
        }

        private bool TryConnection(string word, out Socket connection)
        {
            connection = null!;
            if (!TryNumber(word, 1, _connections.Count, out var index))
            {
                return false;
            }

            connection = _connections[index - 1];
            return true;
        }

        private static bool TryTimeout(string[] words, int at, int fallback, out int ms)
        {
            ms = fallback;
            return words.Length <= at || TryNumber(words[at], 1, MaxTimeoutMs, out ms);
        }

        private static bool TryNumber(string word, int min, int max, out int value) =>
            int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

        private static string Preview(ReadOnlySpan<byte> data)
        {
            var shown = data[..Math.Min(data.Length, 40)];
            var text = new StringBuilder(shown.Length + 2);
            foreach (var b in shown)
            {
                text.Append(b is >= 0x20 and <= 0x7e ? (char)b : '.');
            }

            return data.Length > shown.Length ? $"\"{text}…\"" : $"\"{text}\"";
        }
    }
}
