using System.Runtime.CompilerServices;
using Linger.Wire;

namespace Linger.Flows.Internal;

/// <summary>
/// Wireshark's TCP sequence analysis (packet-tcp.c, tcp_analyze_sequence_number), which sets the
/// <c>tcp.analysis.*</c> fields: zero window, keep-alive, window full, duplicate ACK, retransmission, fast
/// retransmission, spurious retransmission, out of order.
/// </summary>
/// <remarks>
/// Simplifications: absolute sequence numbers with an explicit "known" flag instead of Wireshark's zero sentinel;
/// the out-of-order threshold is the handshake RTT (SYN to the first ACK) or 3 ms, as in Wireshark, but the
/// window-full check always applies the window scale (Wireshark leaves the handshake's first ACK unscaled); no
/// MPTCP exceptions; the unacked-segment list (used only for RTT and bytes-in-flight) is not kept.
/// </remarks>
internal static class WiresharkAnalysis
{
    private const TcpFlags SynFinRst = TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst;

    /// <summary>Analyses one segment sent in the <paramref name="fwd"/> direction; returns its analysis flags.</summary>
    /// <param name="fwd">The sender's direction.</param>
    /// <param name="rev">The opposite direction.</param>
    /// <param name="packet">The segment.</param>
    /// <param name="firstRttNs">The handshake RTT, or 0 while unknown.</param>
    [MethodImpl(Compile.Hot)]
    public static WiresharkAnalysisFlags Analyze(ref WiresharkFlow fwd, ref WiresharkFlow rev, in TcpPacket packet, long firstRttNs)
    {
        var flags = packet.Flags;
        var seq = packet.Sequence;
        var ack = packet.Acknowledgment;
        var segLen = (uint)Math.Max(0, packet.PayloadLength);
        uint window = packet.Window;
        var now = packet.TimestampNs;
        var noControl = (flags & SynFinRst) == 0;
        var ta = WiresharkAnalysisFlags.None;

        if ((flags & TcpFlags.Syn) != 0)
        {
            StoreWindowScale(ref fwd, ref rev, packet);
        }

        // Zero window probe: exactly one byte at the next expected sequence number while the peer's window is 0.
        if (segLen == 1 && fwd.HasNextSeq && seq == fwd.NextSeq && rev.Window == 0)
        {
            ta |= WiresharkAnalysisFlags.ZeroWindowProbe;
            goto FinishedFwd;
        }

        if (window == 0 && noControl)
        {
            ta |= WiresharkAnalysisFlags.ZeroWindow;
        }

        if (fwd.HasNextSeq && SeqGreater(seq, fwd.NextSeq) && (flags & TcpFlags.Rst) == 0)
        {
            ta |= WiresharkAnalysisFlags.LostPacket;
        }

        // Keep-alive: 0 or 1 byte starting one byte before the next expected sequence number.
        if (segLen <= 1 && fwd.HasNextSeq && seq == unchecked(fwd.NextSeq - 1) && noControl)
        {
            ta |= WiresharkAnalysisFlags.KeepAlive;
        }

        var sameSeqAck = fwd.HasNextSeq && seq == fwd.NextSeq && ack == fwd.LastAck;
        if (segLen == 0 && window != 0 && window != fwd.Window && sameSeqAck && noControl)
        {
            ta |= WiresharkAnalysisFlags.WindowUpdate;
        }

        // Window full: the data reaches the right edge of the receiver's advertised window.
        if (segLen > 0 && rev.WinScale != -1 && noControl)
        {
            var shift = rev.WinScale == -2 ? 0 : rev.WinScale;
            if (unchecked(seq + segLen) == unchecked(rev.LastAck + (rev.Window << shift)))
            {
                ta |= WiresharkAnalysisFlags.WindowFull;
            }
        }

        if (segLen == 0 && window != 0 && window == fwd.Window && sameSeqAck && noControl
            && (rev.LastSegmentFlags & WiresharkAnalysisFlags.KeepAlive) != 0)
        {
            ta |= WiresharkAnalysisFlags.KeepAliveAck;
            goto FinishedFwd;
        }

        if (segLen == 0 && window == 0 && window == fwd.Window && sameSeqAck && noControl
            && (rev.LastSegmentFlags & WiresharkAnalysisFlags.ZeroWindowProbe) != 0)
        {
            ta |= WiresharkAnalysisFlags.ZeroWindowProbeAck;
            goto FinishedFwd;
        }

        // Duplicate ACK: no data, same window, sequence and acknowledgment as the previous segment.
        if (segLen == 0 && window != 0 && window == fwd.Window && sameSeqAck && noControl)
        {
            fwd.DupAckNum = fwd.DupAckNum == -1 ? 1 : fwd.DupAckNum + 1;
            ta |= WiresharkAnalysisFlags.DuplicateAck;
        }

    FinishedFwd:
        if (ack != fwd.LastAck)
        {
            fwd.DupAckNum = 0;
        }

        // An ACK beyond what the other direction was seen to send: segments were missed there.
        if (rev.HasMaxSeqToBeAcked && SeqGreater(ack, rev.MaxSeqToBeAcked) && (flags & TcpFlags.Ack) != 0)
        {
            if (rev.MaxSeqToBeAcked > rev.NextSeq)
            {
                rev.MaxSeqToBeAcked = rev.NextSeq;
                ta |= WiresharkAnalysisFlags.AckLostPacket;
            }
            else
            {
                if (rev.DupAckNum == 0)
                {
                    ta |= WiresharkAnalysisFlags.AckLostPacket;
                }

                rev.DupAckNum = -1;
            }
        }

        // Retransmission, fast retransmission, spurious retransmission or out of order: the segment carries data
        // (or a SYN or FIN) without advancing the sequence number.
        var synOrFin = (flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0;
        if ((segLen > 0 || synOrFin) && (ta & WiresharkAnalysisFlags.KeepAlive) == 0)
        {
            var seqNotAdvanced = fwd.HasNextSeq && SeqLess(seq, fwd.NextSeq);
            if (segLen > 1 && fwd.HasNextSeq && unchecked(fwd.NextSeq - 1) == seq)
            {
                seqNotAdvanced = false; // after a zero window probe, new data starts one byte back
            }

            if (segLen > 0 && rev.LastAck != 0 && SeqLessOrEqual(unchecked(seq + segLen), rev.LastAck))
            {
                ta |= WiresharkAnalysisFlags.SpuriousRetransmission;
            }
            else if (seqNotAdvanced && rev.DupAckNum >= 2 && rev.LastAck == seq && Elapsed(rev.LastAckTimeNs, now) < 20_000_000)
            {
                ta |= WiresharkAnalysisFlags.FastRetransmission;
            }
            else if (seqNotAdvanced && Elapsed(fwd.NextSeqTimeNs, now) < (ulong)(firstRttNs > 0 ? firstRttNs : 3_000_000)
                && fwd.NextSeq != unchecked(seq + segLen + (synOrFin ? 1u : 0u)))
            {
                ta |= WiresharkAnalysisFlags.OutOfOrder;
            }
            else if (seqNotAdvanced)
            {
                ta |= WiresharkAnalysisFlags.Retransmission;
            }
        }

        var nextSeq = unchecked(seq + segLen + (synOrFin ? 1u : 0u));
        var isProbe = (ta & WiresharkAnalysisFlags.ZeroWindowProbe) != 0;
        if ((!fwd.HasNextSeq || SeqGreater(nextSeq, fwd.NextSeq)) && !isProbe)
        {
            fwd.NextSeq = nextSeq;
            fwd.HasNextSeq = true;
            fwd.NextSeqTimeNs = now;
        }

        if ((!fwd.HasMaxSeqToBeAcked || seq == fwd.MaxSeqToBeAcked) && !isProbe)
        {
            fwd.MaxSeqToBeAcked = fwd.NextSeq;
            fwd.HasMaxSeqToBeAcked = true;
        }

        fwd.Window = window;
        fwd.LastAck = ack;
        fwd.LastAckTimeNs = now;
        fwd.LastSegmentFlags = ta;
        return ta;
    }

    /// <summary>pdu_store_window_scale_option and verify_tcp_window_scaling, for a SYN or SYN-ACK.</summary>
    [MethodImpl(Compile.Hot)]
    private static void StoreWindowScale(ref WiresharkFlow fwd, ref WiresharkFlow rev, in TcpPacket packet)
    {
        if (packet.WindowScale >= 0)
        {
            fwd.WinScale = packet.WindowScale;
        }

        if (fwd.WinScale == -1)
        {
            fwd.WinScale = -2;
            rev.WinScale = -2;
        }
        else if ((packet.Flags & TcpFlags.Ack) != 0 && rev.WinScale == -2)
        {
            fwd.WinScale = -2;
        }
    }

    /// <summary>Time since <paramref name="then"/>; a negative interval counts as huge, as Wireshark's unsigned one.</summary>
    private static ulong Elapsed(long then, long now) => unchecked((ulong)(now - then));

    private static bool SeqGreater(uint a, uint b) => unchecked((int)(b - a)) < 0;

    private static bool SeqLess(uint a, uint b) => unchecked((int)(a - b)) < 0;

    private static bool SeqLessOrEqual(uint a, uint b) => unchecked((int)(b - a)) >= 0;
}
