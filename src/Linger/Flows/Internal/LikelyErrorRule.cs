using System.Net.Sockets;
using Linger.Knowledge;

namespace Linger.Flows.Internal;

/// <summary>
/// What each application most likely saw, per platform, from the verdict: the error codes of the knowledge base
/// (errno on Linux with the <c>SocketError</c> .NET maps it to there; WinSock on Windows, whose codes are .NET's
/// <c>SocketError</c> values).
/// </summary>
/// <remarks>
/// Refused: the client's connect fails with ECONNREFUSED / WSAECONNREFUSED 10061. Unanswered: with ETIMEDOUT /
/// WSAETIMEDOUT 10060 once the client gives up. Reset: the other side's next call fails with ECONNRESET /
/// WSAECONNRESET 10054; but when the resetter had sent its FIN first, the other side was in CLOSE_WAIT, where Linux
/// turns the RST into EPIPE on the next send (.NET: Shutdown) and Windows reports WSAECONNABORTED 10053 (the
/// knowledge base's "fin-then-rst-late-data" pattern). A RST after unanswered keep-alives (the knowledge base's
/// "keepalive-unanswered" pattern) was sent by the resetter's own stack as it gave up: that side's application
/// saw the time-out, ETIMEDOUT on Linux (tcp(7); .NET: TimedOut), and on Windows WSAENETRESET 10052 for the call in
/// progress (Microsoft's SO_KEEPALIVE and error-code pages; .NET: NetworkReset; later calls fail with 10054 or
/// 10057); the other side, if it is alive and the RST reaches it, or when it next sends to the host that forgot the
/// connection, gets ECONNRESET / WSAECONNRESET 10054. A client that resets a handshake it never completed leaves
/// the server application nothing to see. Closed, half-closed, open and midstream conversations: no error (a read
/// returns 0 at the peer's FIN).
/// </remarks>
internal static class LikelyErrorRule
{
    private static readonly IReadOnlyList<LikelyError> Refused =
        Codes("ECONNREFUSED", SocketError.ConnectionRefused, FailingCall.Connect, "WSAECONNREFUSED", 10061, FailingCall.Connect);

    private static readonly IReadOnlyList<LikelyError> TimedOut =
        Codes("ETIMEDOUT", SocketError.TimedOut, FailingCall.Connect, "WSAETIMEDOUT", 10060, FailingCall.Connect);

    private static readonly IReadOnlyList<LikelyError> ConnectionReset =
        Codes("ECONNRESET", SocketError.ConnectionReset, FailingCall.SendOrReceive, "WSAECONNRESET", 10054, FailingCall.SendOrReceive);

    private static readonly IReadOnlyList<LikelyError> ResetAfterPeerFin =
        Codes("EPIPE", SocketError.Shutdown, FailingCall.Send, "WSAECONNABORTED", 10053, FailingCall.SendOrReceive);

    private static readonly IReadOnlyList<LikelyError> KeepAliveGaveUp =
        Codes("ETIMEDOUT", SocketError.TimedOut, FailingCall.SendOrReceive, "WSAENETRESET", 10052, FailingCall.SendOrReceive);

    private static readonly IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> None = new Dictionary<Side, IReadOnlyList<LikelyError>>();
    private static readonly IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> ClientRefused = new Dictionary<Side, IReadOnlyList<LikelyError>> { [Side.Client] = Refused };
    private static readonly IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> ClientTimedOut = new Dictionary<Side, IReadOnlyList<LikelyError>> { [Side.Client] = TimedOut };
    private static readonly IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> ClientReset = new Dictionary<Side, IReadOnlyList<LikelyError>> { [Side.Client] = ConnectionReset };
    private static readonly IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> ServerReset = new Dictionary<Side, IReadOnlyList<LikelyError>> { [Side.Server] = ConnectionReset };
    private static readonly IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> ClientAborted = new Dictionary<Side, IReadOnlyList<LikelyError>> { [Side.Client] = ResetAfterPeerFin };
    private static readonly IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> ServerAborted = new Dictionary<Side, IReadOnlyList<LikelyError>> { [Side.Server] = ResetAfterPeerFin };
    private static readonly IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> ClientKeepAliveGaveUp = new Dictionary<Side, IReadOnlyList<LikelyError>>
    {
        [Side.Client] = KeepAliveGaveUp,
        [Side.Server] = ConnectionReset,
    };

    private static readonly IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> ServerKeepAliveGaveUp = new Dictionary<Side, IReadOnlyList<LikelyError>>
    {
        [Side.Client] = ConnectionReset,
        [Side.Server] = KeepAliveGaveUp,
    };

    /// <summary>The likely errors for a verdict. The returned objects are shared and immutable.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <param name="resetBy">For <see cref="Verdict.Reset"/>: who sent the RST.</param>
    /// <param name="reset">For <see cref="Verdict.Reset"/>: the evidence of the RST (whether the resetter had sent its
    /// FIN first, whether its keep-alives had gone unanswered).</param>
    /// <param name="victimEstablished">For <see cref="Verdict.Reset"/>: the other side had completed the handshake.</param>
    public static IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> For(Verdict verdict, Side? resetBy, in ResetEvidence reset, bool victimEstablished)
    {
        switch (verdict)
        {
            case Verdict.Refused:
                return ClientRefused;
            case Verdict.Unanswered:
                return ClientTimedOut;
            case Verdict.Reset when resetBy is { } by && reset.AfterUnansweredKeepAlives:
                return by == Side.Client ? ClientKeepAliveGaveUp : ServerKeepAliveGaveUp;
            case Verdict.Reset when resetBy is { } by && victimEstablished:
                var victim = by == Side.Client ? Side.Server : Side.Client;
                return (victim, reset.AfterFin) switch
                {
                    (Side.Client, false) => ClientReset,
                    (Side.Client, true) => ClientAborted,
                    (_, false) => ServerReset,
                    _ => ServerAborted,
                };
            default:
                return None;
        }
    }

    /// <summary>Every distinct list of likely errors the rule hands out (a test checks each against the knowledge base).</summary>
    internal static IReadOnlyList<IReadOnlyList<LikelyError>> All => [Refused, TimedOut, ConnectionReset, ResetAfterPeerFin, KeepAliveGaveUp];

    /// <summary>
    /// The codes as the knowledge base names them: its errno entry with the <c>SocketError</c> .NET maps that errno to
    /// on Linux, and its WinSock entry with the <c>SocketError</c> of the same value. Written out here rather than looked
    /// up, so an analysis does not load the whole knowledge base (about 80 ms) for five lists; a test checks that they
    /// agree with it.
    /// </summary>
    private static LikelyError[] Codes(
        string errno, SocketError dotnetOnLinux, FailingCall unixCall, string winsockName, int winsock, FailingCall windowsCall)
    {
        var dotnetOnWindows = (SocketError)winsock; // .NET's SocketError values are the WinSock codes
        return
        [
            new(OsPlatform.Linux, KnowledgeDomain.Errno, "errno." + errno, errno, unixCall),
            new(OsPlatform.Linux, KnowledgeDomain.DotNet, $"dotnet.{dotnetOnLinux}", $"SocketError.{dotnetOnLinux}", unixCall),
            new(OsPlatform.Windows, KnowledgeDomain.WinSock, $"winsock.{winsock}", $"{winsockName} {winsock}", windowsCall),
            new(OsPlatform.Windows, KnowledgeDomain.DotNet, $"dotnet.{dotnetOnWindows}", $"SocketError.{dotnetOnWindows}", windowsCall),
        ];
    }
}
