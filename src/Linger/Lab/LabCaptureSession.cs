using Linger.Wire;

namespace Linger.Lab;

/// <summary>A running capture of one scenario's packets.</summary>
public abstract class LabCaptureSession : IAsyncDisposable
{
    /// <summary>
    /// Waits until the packets in flight have been read, ends the capture, and returns every decoded TCP packet in
    /// capture order (the pcapng file is complete when this returns).
    /// </summary>
    public abstract Task<IReadOnlyList<TcpPacket>> StopAsync(CancellationToken cancellationToken);

    /// <summary>Packets the kernel dropped before the capture could read them.</summary>
    public abstract long Dropped { get; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the capture.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
}
