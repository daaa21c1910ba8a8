using System.Net.Sockets;

namespace Linger.Probe.Tcp;

/// <summary>How one connect ended.</summary>
public enum ConnectOutcome
{
    /// <summary>Connected.</summary>
    Ok,

    /// <summary>The SYN was answered by a RST (ECONNREFUSED).</summary>
    Refused,

    /// <summary>No answer in time (ours or the kernel's ETIMEDOUT).</summary>
    TimedOut,

    /// <summary>Reset while connecting (ECONNRESET).</summary>
    Reset,

    /// <summary>No route, or an ICMP unreachable (EHOSTUNREACH, ENETUNREACH).</summary>
    Unreachable,

    /// <summary>Any other error.</summary>
    Other,
}

/// <summary>Sorts socket errors into <see cref="ConnectOutcome"/>s, in one place.</summary>
public static class ConnectOutcomes
{
    /// <summary>The outcome a socket error means.</summary>
    public static ConnectOutcome Of(SocketError error) => error switch
    {
        SocketError.Success => ConnectOutcome.Ok,
        SocketError.ConnectionRefused => ConnectOutcome.Refused,
        SocketError.TimedOut => ConnectOutcome.TimedOut,
        SocketError.ConnectionReset or SocketError.ConnectionAborted => ConnectOutcome.Reset,
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.NetworkDown => ConnectOutcome.Unreachable,
        _ => ConnectOutcome.Other,
    };

    /// <summary>The outcome in words: <c>refused</c>, <c>timed out</c>.</summary>
    public static string Describe(ConnectOutcome outcome) => outcome switch
    {
        ConnectOutcome.Ok => "ok",
        ConnectOutcome.Refused => "refused",
        ConnectOutcome.TimedOut => "timed out",
        ConnectOutcome.Reset => "reset",
        ConnectOutcome.Unreachable => "unreachable",
        _ => "failed",
    };
}
