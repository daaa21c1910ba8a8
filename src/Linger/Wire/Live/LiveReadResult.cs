namespace Linger.Wire.Live;

/// <summary>The outcome of <see cref="LiveCapture.ReadFrame"/>.</summary>
public enum LiveReadResult
{
    /// <summary>A frame was read.</summary>
    Frame,

    /// <summary>No packet arrived before the read's timeout; the capture goes on.</summary>
    TimedOut,

    /// <summary>The capture is over: stopped, cancelled, or its duration has passed.</summary>
    Ended,
}
