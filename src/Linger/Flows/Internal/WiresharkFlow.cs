namespace Linger.Flows.Internal;

/// <summary>
/// What Wireshark's TCP dissector keeps per direction for its sequence analysis (tcp_flow_t and
/// tcp_analyze_seq_flow_info_t): the next expected sequence number, the last ACK and window sent, the window scale,
/// duplicate-ACK counting and the flags of the last segment.
/// </summary>
internal struct WiresharkFlow
{
    /// <summary>Window scale: -1 unknown (no SYN seen), -2 not in use, otherwise the shift.</summary>
    public int WinScale;
    public uint Window;
    public bool HasNextSeq;
    public uint NextSeq;
    public long NextSeqTimeNs;
    public uint LastAck;
    public long LastAckTimeNs;
    public int DupAckNum;
    public bool HasMaxSeqToBeAcked;
    public uint MaxSeqToBeAcked;
    public WiresharkAnalysisFlags LastSegmentFlags;

    /// <summary>Wireshark starts the window at G_MAXUINT32 so the first segment is never a window update.</summary>
    public void StartZeroed()
    {
        WinScale = -1;
        Window = uint.MaxValue;
    }
}
