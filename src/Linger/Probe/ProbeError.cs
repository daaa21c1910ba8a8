using System.Net.Sockets;
using System.Security.Authentication;

namespace Linger.Probe;

/// <summary>Why a stage failed, exactly as the runtime reported it.</summary>
public sealed record ProbeError
{
    /// <summary>The .NET <see cref="System.Net.Sockets.SocketError"/>, for socket failures.</summary>
    public SocketError? SocketError { get; init; }

    /// <summary>Its number (the WinSock numbers, which .NET uses on every platform).</summary>
    public int? SocketErrorCode => SocketError is { } e ? (int)e : null;

    /// <summary>The errno (Linux/macOS numbers), when the failure came from the kernel.</summary>
    public int? Errno { get; init; }

    /// <summary>What happened, in words.</summary>
    public required string Message { get; init; }

    /// <summary>An error from a message alone (a protocol reply, a timeout of ours).</summary>
    public static ProbeError Of(string message) => new() { Message = message };

    /// <summary>An error from an exception: socket errors keep their codes, wrapped ones are unwrapped.</summary>
    public static ProbeError From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return new ProbeError
                {
                    SocketError = socket.SocketErrorCode,
                    Errno = OperatingSystem.IsWindows() ? null : socket.NativeErrorCode,
                    Message = exception is SocketException ? socket.Message : $"{exception.Message} ({socket.Message})",
                };
            }
        }

        return exception is AuthenticationException && exception.InnerException is { } inner
            ? Of($"{exception.Message} {inner.Message}")
            : Of(exception.Message);
    }
}
