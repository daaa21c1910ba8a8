namespace Linger.Wire.Live;

/// <summary>The kernel's counters for a live capture (PACKET_STATISTICS), totalled since it was opened.</summary>
/// <param name="Received">Packets that passed the kernel filter, including those then dropped.</param>
/// <param name="Dropped">Packets that passed the filter but were dropped because the ring was full: the reader fell behind.</param>
public readonly record struct CaptureStatistics(long Received, long Dropped);
