namespace Linger.Flows.Internal;

/// <summary>
/// What Zeek keeps per endpoint for the history letters that can repeat (TCP_Endpoint's hist_last_* and the
/// Connection::ScaledHistoryEntry counters). Apart from <see cref="ZeekEndpoint"/>: only SYNs, FINs, RSTs,
/// retransmissions and zero windows touch it.
/// </summary>
internal struct ZeekEndpointLetters
{
    /// <summary>The relative sequence number of the last SYN, FIN and RST: the letter repeats when it changes.</summary>
    public ulong HistLastSyn;
    public ulong HistLastFin;
    public ulong HistLastRst;

    // 'T' and 'W' repeat at 1, 10, 100, ... occurrences.
    public uint RetransmitCount;
    public uint RetransmitThreshold;
    public uint ZeroWindowCount;
    public uint ZeroWindowThreshold;

    /// <summary>Sets the fields whose initial value is not zero; the caller zeroed the whole state.</summary>
    public void StartZeroed()
    {
        RetransmitThreshold = 1;
        ZeroWindowThreshold = 1;
    }
}
