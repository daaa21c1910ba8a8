using System.Net.Sockets;

namespace Linger.Lab;

/// <summary>What one call returned: success with a byte count, or the error exactly as the runtime reported it.</summary>
public sealed record StepResult
{
    /// <summary>True when the call succeeded (a read that returns 0 bytes, end of stream, succeeded).</summary>
    public required bool Ok { get; init; }

    /// <summary>Bytes sent or received, for calls that move data.</summary>
    public long? Bytes { get; init; }

    /// <summary>The .NET <see cref="System.Net.Sockets.SocketError"/> of a failed socket call.</summary>
    public SocketError? SocketError { get; init; }

    /// <summary>Its number (<c>10054</c> for ConnectionReset: .NET uses the WinSock numbers on every platform).</summary>
    public int? SocketErrorCode => SocketError is { } error ? (int)error : null;

    /// <summary>The errno the kernel returned (Linux numbers), when the failure came from the kernel.</summary>
    public int? Errno { get; init; }

    /// <summary>The errno's symbolic name (<c>ECONNRESET</c>).</summary>
    public string? ErrnoName { get; init; }

    /// <summary>
    /// In words, for people: "end of stream (the peer sent FIN)", "no data within 2000 ms (application timeout)",
    /// the first bytes of a received answer.
    /// </summary>
    public string? Detail { get; init; }

    /// <summary>A successful call.</summary>
    public static StepResult Success(long? bytes = null, string? detail = null) => new() { Ok = true, Bytes = bytes, Detail = detail };

    /// <summary>A failed call, from the exception the runtime raised.</summary>
    public static StepResult From(SocketException exception, long? bytes = null, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var errno = OperatingSystem.IsWindows() ? (int?)null : exception.NativeErrorCode;
        return new()
        {
            Ok = false,
            Bytes = bytes,
            SocketError = exception.SocketErrorCode,
            Errno = errno,
            ErrnoName = errno is { } n ? ErrnoNames.Linux(n) : null,
            Detail = detail ?? exception.Message,
        };
    }

    /// <summary>The application gave up waiting: no socket error, the call simply did not complete in time.</summary>
    public static StepResult TimedOut(TimeSpan after, long? bytes = null, string? what = null) => new()
    {
        Ok = false,
        Bytes = bytes,
        Detail = $"{what ?? "no completion"} within {after.TotalMilliseconds:0} ms (application timeout)",
    };

    /// <summary>A failure that is not a socket error (a tool that failed, an unexpected answer).</summary>
    public static StepResult Failed(string detail) => new() { Ok = false, Detail = detail };

    /// <summary>Short form for tables: <c>ok 5 B</c>, <c>EOF</c>, <c>ECONNRESET</c>, <c>timeout</c>.</summary>
    public string Brief()
    {
        if (Ok)
        {
            return Bytes switch
            {
                null => "ok",
                0 when Detail is not null && Detail.StartsWith("end of stream", StringComparison.Ordinal) => "EOF",
                { } n => $"ok {n} B",
            };
        }

        return ErrnoName ?? SocketError?.ToString() ?? (Detail is not null && Detail.Contains("application timeout", StringComparison.Ordinal) ? "timeout" : "failed");
    }
}
