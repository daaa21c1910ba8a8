using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Files;
using Linger.Wire.Live;

namespace Linger.Lab;

/// <summary>
/// A capture read by a thread of this process: every frame goes to the pcapng file and, decoded, to the packet list.
/// </summary>
internal sealed class LiveCaptureSession : LabCaptureSession
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    // The ring hands over a block when it fills or after the block timeout (10 ms), so the last packets reach the
    // reader a little after the calls that caused them returned. Stopping waits for a quiet poll (no frame for
    // Poll, twice the block timeout) instead of a fixed delay, bounded by MaxDrain on a busy link.
    private static readonly TimeSpan MaxDrain = TimeSpan.FromSeconds(1);

    private readonly LiveCapture _capture;
    private readonly Thread _reader;
    private readonly List<TcpPacket> _packets = [];
    private readonly string _path;
    private Exception? _failure;
    private volatile bool _draining;
    private readonly ManualResetEventSlim _drained = new();

    public LiveCaptureSession(LiveCapture capture, string pcapngPath)
    {
        _capture = capture;
        _path = pcapngPath;
        _reader = new Thread(Read) { IsBackground = true, Name = "lab capture" };
        _reader.Start();
    }

    public override long Dropped => _capture.Statistics.Dropped;

    /// <summary>Opens a live capture in this thread's network namespace.</summary>
    public static LiveCaptureSession Open(string interfaceName, string filter, string pcapngPath, CancellationToken cancellationToken)
    {
        var capture = LiveCapture.Open(new LiveCaptureOptions
        {
            Interface = interfaceName,
            Filter = filter,
            RingSize = 2 * 1024 * 1024,
            BlockTimeout = TimeSpan.FromMilliseconds(10),
            CancellationToken = cancellationToken,
        });
        return new LiveCaptureSession(capture, pcapngPath);
    }

    public override async Task<IReadOnlyList<TcpPacket>> StopAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        await Task.Run(() => _drained.Wait(MaxDrain, cancellationToken), cancellationToken).ConfigureAwait(false);
        _capture.Stop();
        var joined = await Task.Run(() => _reader.Join(TimeSpan.FromSeconds(5)), cancellationToken).ConfigureAwait(false);
        if (!joined)
        {
            throw new TimeoutException("the lab's capture thread did not stop within 5 s");
        }

        if (_failure is not null)
        {
            throw new IOException($"the capture failed: {_failure.Message}", _failure);
        }

        return _packets;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        _capture.Stop();
        _reader.Join(TimeSpan.FromSeconds(2));
        _capture.Dispose();
        _drained.Dispose();
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    private void Read()
    {
        try
        {
            using var file = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.Read);
            using var writer = new PcapNgWriter(file, leaveOpen: true);
            var stats = default(DecodeStats);
            long number = 0;
            while (true)
            {
                var result = _capture.ReadFrame(out var frame, Poll);
                if (result == LiveReadResult.Ended)
                {
                    break;
                }

                if (result == LiveReadResult.TimedOut)
                {
                    if (_draining)
                    {
                        _drained.Set();
                    }

                    continue;
                }

                writer.WriteFrame(frame.LinkType, frame.TimestampNs, frame.Data, frame.OriginalLength);
                if (PacketDecoder.TryDecode(in frame, number, out var packet, ref stats))
                {
                    _packets.Add(packet);
                }

                number++;
            }

            writer.Flush();
        }
#pragma warning disable CA1031 // The reader thread reports any failure to StopAsync instead of crashing the process.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure = e;
        }
        finally
        {
            _drained.Set();
        }
    }
}
