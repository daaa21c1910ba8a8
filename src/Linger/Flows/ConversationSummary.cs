using System.Collections.ObjectModel;
using Linger.Wire;

namespace Linger.Flows;

/// <summary>An address and port.</summary>
/// <param name="Address">The IP address.</param>
/// <param name="Port">The TCP port.</param>
public readonly record struct Endpoint(IpAddress Address, ushort Port) : ISpanFormattable
{
    /// <summary>"ip:port", or "[ip]:port" for IPv6.</summary>
    public override string ToString() => Address.IsV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";

    /// <inheritdoc cref="ToString()"/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Writes <see cref="ToString()"/>'s text; false when <paramref name="destination"/> is too small (56 characters always suffice).</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        charsWritten = 0;
        var n = 0;
        if (Address.IsV6)
        {
            if (destination.IsEmpty)
            {
                return false;
            }

            destination[n++] = '[';
        }

        if (!Address.TryFormat(destination[n..], out var written))
        {
            return false;
        }

        n += written;
        var rest = destination[n..];
        if (Address.IsV6)
        {
            if (rest.IsEmpty)
            {
                return false;
            }

            rest[0] = ']';
            n++;
            rest = rest[1..];
        }

        if (rest.IsEmpty || !Port.TryFormat(rest[1..], out written, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            return false;
        }

        rest[0] = ':';
        charsWritten = n + 1 + written;
        return true;
    }
}

/// <summary>Zeek's conn_state codes (Zeek base/protocols/conn/main.zeek).</summary>
public enum ZeekConnState
{
    /// <summary>Connection attempt seen, no reply.</summary>
    S0,

    /// <summary>Connection established, not terminated.</summary>
    S1,

    /// <summary>Normal establishment and termination.</summary>
    SF,

    /// <summary>Connection attempt rejected.</summary>
    REJ,

    /// <summary>Established, close attempt by the originator seen (but no reply from the responder).</summary>
    S2,

    /// <summary>Established, close attempt by the responder seen (but no reply from the originator).</summary>
    S3,

    /// <summary>Originator sent a SYN followed by a RST ("RSTO" after establishment).</summary>
    RSTO,

    /// <summary>Responder sent a RST.</summary>
    RSTR,

    /// <summary>Originator sent a SYN followed by a RST, never saw a SYN-ACK from the responder.</summary>
    RSTOS0,

    /// <summary>Responder sent a SYN ACK followed by a RST, never saw a SYN from the (purported) originator.</summary>
    RSTRH,

    /// <summary>Originator sent a SYN followed by a FIN, never saw a SYN ACK from the responder.</summary>
    SH,

    /// <summary>Responder sent a SYN ACK followed by a FIN, never saw a SYN from the originator.</summary>
    SHR,

    /// <summary>No SYN seen, just midstream traffic.</summary>
    OTH,
}

/// <summary>Linger's own verdict on how a conversation ended.</summary>
public enum Verdict
{
    /// <summary>The SYN was answered by a RST: nothing listening, or a firewall rejecting.</summary>
    Refused,

    /// <summary>The SYN got no answer in the capture.</summary>
    Unanswered,

    /// <summary>Both sides sent FIN (a graceful close).</summary>
    Closed,

    /// <summary>One side sent FIN, the other did not (yet).</summary>
    HalfClosed,

    /// <summary>A RST ended the conversation after it was established (or while it was being established).</summary>
    Reset,

    /// <summary>Established and still open when the capture ended.</summary>
    Open,

    /// <summary>The capture started in the middle: no handshake seen, and no close or reset to judge by.</summary>
    Midstream,
}

/// <summary>Which side of a conversation.</summary>
public enum Side
{
    /// <summary>The side that sent the first SYN (or, midstream, the side judged to be the client).</summary>
    Client,

    /// <summary>The other side.</summary>
    Server,
}

/// <summary>Counts of Wireshark-style analysis events in one conversation (both directions).</summary>
public sealed record AnalysisCounts
{
    /// <summary>No events: one shared instance (the record is immutable), the default of every summary.</summary>
    internal static readonly AnalysisCounts None = new();

    /// <summary>
    /// Segments that repeat sequence space already sent (Wireshark's <c>tcp.analysis.retransmission</c>, which
    /// also marks fast and spurious retransmissions).
    /// </summary>
    public int Retransmissions { get; init; }

    /// <summary>Retransmissions that follow three or more duplicate ACKs.</summary>
    public int FastRetransmissions { get; init; }

    /// <summary>ACKs that acknowledge nothing new, carry no data and do not change the window.</summary>
    public int DuplicateAcks { get; init; }

    /// <summary>Segments advertising a zero receive window.</summary>
    public int ZeroWindows { get; init; }

    /// <summary>Segments that fill the receiver's last advertised window.</summary>
    public int WindowFull { get; init; }

    /// <summary>Keep-alive probes (one byte of old sequence space, or none, on an idle connection).</summary>
    public int KeepAlives { get; init; }

    /// <summary>Segments that arrive below the highest sequence seen but are not retransmissions.</summary>
    public int OutOfOrder { get; init; }
}

/// <summary>
/// How one TCP conversation went and ended: what <c>linger analyze</c> prints per row, in every format.
/// Produced by the flow tracker; the verdict fields are pure functions of the tracked state.
/// </summary>
public sealed record ConversationSummary
{
    /// <summary>
    /// The side that sent the first SYN (or received the first SYN-ACK when the SYN itself was not captured);
    /// midstream, see <see cref="ClientIsGuess"/>.
    /// </summary>
    public required Endpoint Client { get; init; }

    /// <summary>The other side.</summary>
    public required Endpoint Server { get; init; }

    /// <summary>
    /// True when neither a SYN nor a SYN-ACK was seen and the client was chosen by the midstream rule: a side whose
    /// port is well known (below 1024) is the server; otherwise the side with the higher port is the client; equal
    /// ports: the sender of the first packet is the client.
    /// </summary>
    public bool ClientIsGuess { get; init; }

    /// <summary>Time of the first packet, ns since the Unix epoch.</summary>
    public long StartNs { get; init; }

    /// <summary>Time of the last packet, ns since the Unix epoch.</summary>
    public long EndNs { get; init; }

    /// <summary>Packets in both directions.</summary>
    public long Packets { get; init; }

    /// <summary>Packets sent by the client.</summary>
    public long PacketsClient { get; init; }

    /// <summary>Packets sent by the server.</summary>
    public long PacketsServer { get; init; }

    /// <summary>TCP payload bytes sent by the client (sequence space, retransmissions not counted twice).</summary>
    public long BytesClient { get; init; }

    /// <summary>TCP payload bytes sent by the server.</summary>
    public long BytesServer { get; init; }

    /// <summary>IP bytes sent by the client (sum of the IP lengths, as Zeek's orig_ip_bytes).</summary>
    public long IpBytesClient { get; init; }

    /// <summary>IP bytes sent by the server (as Zeek's resp_ip_bytes).</summary>
    public long IpBytesServer { get; init; }

    /// <summary>Zeek's conn_state.</summary>
    public ZeekConnState ConnState { get; init; }

    /// <summary>
    /// Zeek's history string (upper case: Zeek's originator, lower case: its responder; see
    /// <see cref="ZeekOriginator"/>).
    /// </summary>
    public string History { get; init; } = string.Empty;

    /// <summary>
    /// Which side Zeek's conn.log calls the originator (<c>id.orig_h</c>), whose letters are upper case in
    /// <see cref="History"/>. It is <see cref="Side.Client"/> except when Zeek's own rules chose the other side
    /// (midstream traffic, or a SYN-ACK seen first).
    /// </summary>
    public Side ZeekOriginator { get; init; }

    /// <summary>Linger's verdict.</summary>
    public Verdict Verdict { get; init; }

    /// <summary>For resets: who sent the RST that ended it.</summary>
    public Side? ResetBy { get; init; }

    /// <summary>For resets: whether the resetting side had sent its FIN before the RST (the 10053 pattern).</summary>
    public bool? AfterFin { get; init; }

    /// <summary>
    /// For resets: whether the RST answered data that arrived after the resetter had closed, that is data from the
    /// other side after the resetter's FIN (the 10053 pattern).
    /// </summary>
    public bool? InReplyToData { get; init; }

    /// <summary>For resets: seconds of silence before the RST (or before the packet that provoked it).</summary>
    public double? IdleBeforeSeconds { get; init; }

    /// <summary>Whether the RST looks injected by a third party.</summary>
    public bool SuspectedInjection { get; init; }

    /// <summary>Why it looks injected (TTL unlike the sender's other packets, sequence outside the window, ...).</summary>
    public IReadOnlyList<string> InjectionReasons { get; init; } = [];

    /// <summary>
    /// What each application most likely saw, per side: for each platform the knowledge-base entry of the error
    /// (<c>errno.ECONNRESET</c>, <c>winsock.10054</c>, <c>dotnet.ConnectionReset</c>). Empty when neither side saw an
    /// error (a graceful close: a read returns 0).
    /// </summary>
    public IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> LikelyErrors { get; init; } =
        ReadOnlyDictionary<Side, IReadOnlyList<LikelyError>>.Empty;

    /// <summary>The longest silence between two consecutive packets of the conversation, in seconds.</summary>
    public double LongestSilenceSeconds { get; init; }

    /// <summary>Why the tracker emitted the conversation when it did.</summary>
    public TrackingEnd TrackingEnded { get; init; }

    /// <summary>Analysis event counts.</summary>
    public AnalysisCounts Counts { get; init; } = AnalysisCounts.None;

    /// <summary>Frame number of the first packet (evidence).</summary>
    public long FirstFrame { get; init; }

    /// <summary>Frame number of the RST that ended it, or −1 (evidence).</summary>
    public long ResetFrame { get; init; } = -1;
}
