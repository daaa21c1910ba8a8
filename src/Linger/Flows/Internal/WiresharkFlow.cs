namespace Linger.Flows.Internal;

/// <summary>
/// What Wireshark's TCP dissector keeps per direction for its sequence analysis (tcp_flow_t and
/// tcp_analyze_seq_flow_info_t): the next expected sequence number, the last ACK and window sent, the window scale,
/// duplicate-ACK counting and the flags of the last segment. Fields ordered by size: 48 bytes.
/// </summary>
internal struct WiresharkFlow
{
    public long NextSeqTimeNs;
    public long LastAckTimeNs;
    public uint Window;
    public uint NextSeq;
    public uint LastAck;
    public uint MaxSeqToBeAcked;
    public int DupAckNum;
    public WiresharkAnalysisFlags LastSegmentFlags;

    /// <summary>Window scale: -1 unknown (no SYN seen), -2 not in use, otherwise the shift.</summary>
    public sbyte WinScale;
    public bool HasNextSeq;
    public bool HasMaxSeqToBeAcked;

    /// <summary>
    /// Sets the fields whose initial value is not zero; the caller zeroed the flow. Wireshark starts the window at
    /// G_MAXUINT32 so the first segment is never a window update.
    /// </summary>
    public void StartZeroed()
    {
        WinScale = -1;
        Window = uint.MaxValue;
    }
}
