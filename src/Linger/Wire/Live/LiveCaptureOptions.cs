namespace Linger.Wire.Live;

/// <summary>How to open a <see cref="LiveCapture"/>. Change with <c>with</c>.</summary>
public sealed record LiveCaptureOptions
{
    /// <summary>The interface to capture on, as <c>ip link</c> names it, or <c>any</c> for all of them. Default <c>any</c>.</summary>
    public string Interface { get; init; } = "any";

    /// <summary>
    /// A filter in Linger's filter language (see <see cref="Filtering.FilterExpression"/>), run in the kernel. Default
    /// empty: every TCP segment. Only TCP segments are ever captured.
    /// </summary>
    public string Filter { get; init; } = string.Empty;

    /// <summary>Bytes kept of each packet, counted from its IP header. Default 262144 (tcpdump's default).</summary>
    public int SnapLength { get; init; } = 262144;

    /// <summary>
    /// Size of the kernel's receive ring in bytes: how much traffic can wait for the reader before the kernel drops
    /// packets. Default 4 MiB; rounded to whole blocks, at least two.
    /// </summary>
    public int RingSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Put the interface in promiscuous mode, to see traffic not addressed to this host. Default false. Ignored, with a
    /// warning, for <c>any</c>.
    /// </summary>
    public bool Promiscuous { get; init; }

    /// <summary>Stop capturing this long after opening. Default null: until stopped.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Stops the capture when cancelled (a read in progress returns within about 50 ms). Default none.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// The longest a captured packet waits in a partly filled ring block before the kernel hands the block over.
    /// Default 100 ms: lower means fresher packets and more wake-ups.
    /// </summary>
    public TimeSpan BlockTimeout { get; init; } = TimeSpan.FromMilliseconds(100);
}
