using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Linger.Lab.Agents;

/// <summary>
/// One answer line of the lab agent's protocol (see <see cref="LabAgentHost"/>): a status word, then
/// <c>key=value</c> fields, and last an optional <c>message=</c> field that runs to the end of the line.
/// </summary>
internal sealed record AgentReply
{
    /// <summary>The call succeeded.</summary>
    public const string Ok = "ok";

    /// <summary>The call failed with a socket error (fields: socket_error, errno).</summary>
    public const string Error = "error";

    /// <summary>The call did not complete within the command's time limit (field: ms).</summary>
    public const string Timeout = "timeout";

    /// <summary>The command itself was not understood, or made no sense in the agent's state.</summary>
    public const string Bad = "bad";

    /// <summary>The first line the agent prints, once it is ready for commands (field: pid).</summary>
    public const string Ready = "ready";

    private const string MessageKey = "message=";

    /// <summary>The status word: <see cref="Ok"/>, <see cref="Error"/>, <see cref="Timeout"/>, <see cref="Bad"/> or <see cref="Ready"/>.</summary>
    public required string Status { get; init; }

    /// <summary>The <c>key=value</c> fields, in order.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    /// <summary>Free text for people: a preview of received bytes, an error message.</summary>
    public string? Message { get; init; }

    /// <summary>An integer field, or null when absent or not a number.</summary>
    public long? Number(string key) =>
        Fields.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Reads one line; null when it is not a reply at all (no status word).</summary>
    public static AgentReply? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var rest = line.Trim();
        if (rest.Length == 0)
        {
            return null;
        }

        string? message = null;
        var at = rest.IndexOf(MessageKey, StringComparison.Ordinal);
        if (at >= 0 && (at == 0 || rest[at - 1] == ' '))
        {
            message = rest[(at + MessageKey.Length)..];
            rest = rest[..at];
        }

        var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || words[0].Contains('=', StringComparison.Ordinal))
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var word in words.AsSpan(1))
        {
            var eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[word[..eq]] = word[(eq + 1)..];
            }
        }

        return new AgentReply { Status = words[0], Fields = fields, Message = message };
    }

    /// <summary>The line as the agent prints it.</summary>
    public string Format()
    {
        var line = new StringBuilder(Status);
        foreach (var (key, value) in Fields)
        {
            line.Append(' ').Append(key).Append('=').Append(value);
        }

        if (Message is not null)
        {
            line.Append(' ').Append(MessageKey).Append(Message.ReplaceLineEndings(" "));
        }

        return line.ToString();
    }

    /// <summary>The answer to a failed socket call, with the error as .NET and the kernel reported it.</summary>
    public static AgentReply FromSocketError(SocketException exception, long? bytes = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["socket_error"] = exception.SocketErrorCode.ToString(),
            ["errno"] = exception.NativeErrorCode.ToString(CultureInfo.InvariantCulture),
        };
        if (bytes is { } n)
        {
            fields["bytes"] = n.ToString(CultureInfo.InvariantCulture);
        }

        return new AgentReply { Status = Error, Fields = fields, Message = exception.Message };
    }

    /// <summary>
    /// The reply as a step's result: success with its byte count, the socket error with its errno, an application
    /// timeout, or a failure in words.
    /// </summary>
    public StepResult ToStepResult()
    {
        var bytes = Number("bytes");
        switch (Status)
        {
            case Ok:
                return StepResult.Success(bytes, Message);
            case Timeout:
                return StepResult.TimedOut(TimeSpan.FromMilliseconds(Number("ms") ?? 0), bytes);
            case Error:
                var errno = (int?)Number("errno");
                SocketError? socketError = Fields.TryGetValue("socket_error", out var name) && Enum.TryParse<SocketError>(name, out var parsed) ? parsed : null;
                return new StepResult
                {
                    Ok = false,
                    Bytes = bytes,
                    SocketError = socketError,
                    Errno = errno,
                    ErrnoName = errno is { } e ? ErrnoNames.Linux(e) : null,
                    Detail = Message,
                };
            default:
                return StepResult.Failed($"the lab agent answered '{Format()}'");
        }
    }
}
