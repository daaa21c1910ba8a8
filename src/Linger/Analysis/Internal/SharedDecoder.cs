using System.Runtime.CompilerServices;
using Linger.Flows.Internal;
using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Files;

namespace Linger.Analysis.Internal;

/// <summary>
/// Reads and decodes a capture file once for all the <see cref="TrackerShard"/>s: the packets the filter accepts go
/// into numbered blocks, each with every packet's flow key, its hash and the shard that tracks it, and every shard
/// walks every block in order. Whichever shard first needs a block that is not there yet decodes it (under a lock),
/// so the decoding falls to whichever is ahead. Blocks live in a ring: one is reused once every shard is done with
/// it, so a shard far ahead waits and memory stays bounded.
/// </summary>
/// <remarks>
/// Decoding once rather than once per shard saves a read of the file and a decode per packet per extra shard; the
/// shards read a block's entries from memory another core may have written, in order, which the hardware prefetches.
/// A failure while reading ends the block it happened in: the block holds the packets before it and the exception,
/// and every shard tracks those packets and then fails with it, as a shard that read the file itself did.
/// </remarks>
internal sealed class SharedDecoder : IDisposable
{
    /// <summary>Accepted packets per block.</summary>
    public const int BlockSize = 1024;

    /// <summary>Accepted packets in the ring's blocks: how far the shard ahead can be ahead of the shard behind.</summary>
    public const int RingSpan = RingSize * BlockSize;

    private const int RingSize = 16;

    // Blocks decoded beyond the one a shard asks for (Get). Fewer than RingSize: the rest is how far one shard may
    // run ahead of the other.
    private const int DecodeAhead = 6;

    private readonly string _path;
    private readonly AnalyzeOptions _options;
    private readonly int _shards;
    private readonly ShardedFileAnalysis.Shared _shared;
    private readonly PacketBlock[] _ring = new PacketBlock[RingSize];
    private readonly long[] _released; // per shard: blocks below this number it is done with
    private readonly Lock _decodeLock = new();
    private long _published; // blocks decoded and readable
    private bool _ended; // the last block (end of file or a failure) is published: nothing more to decode
    private long _position;
    private long _length;

    // Touched only under the lock.
    private FileStream? _stream;
    private IFrameSource? _source;
    private DecodeStats _stats;
    private long _frameNumber;
    private long _accepted;

    public SharedDecoder(string path, AnalyzeOptions options, int shards, ShardedFileAnalysis.Shared shared)
    {
        _path = path;
        _options = options;
        _shards = shards;
        _shared = shared;
        _released = new long[shards];
        for (var i = 0; i < RingSize; i++)
        {
            _ring[i] = new PacketBlock();
        }
    }

    /// <summary>Where the decoding is in the file (for progress).</summary>
    public long Position => Volatile.Read(ref _position);

    /// <summary>The file's length, once it is open.</summary>
    public long Length => Volatile.Read(ref _length);

    /// <summary>
    /// Block number <paramref name="number"/>, decoding it first when nobody has yet; null when the run was stopped
    /// while waiting. The caller walks the blocks in order and releases each when done with it. Nobody waits while
    /// holding the lock: a shard that needs a block whose place in the ring is still in use waits outside it, so the
    /// shard behind, which may need the lock to see a block that was published meanwhile, is never kept from it.
    /// </summary>
    /// <remarks>
    /// The caller also decodes up to <see cref="DecodeAhead"/> blocks beyond the one it asks for, when their places
    /// are free and nobody else is decoding: so the shard ahead does the decoding, and the one behind finds its next
    /// block ready instead of waiting while the other decodes it (measured on the benchmark capture: the shards'
    /// waits fell from about 150 ms a run to about 25 ms).
    /// </remarks>
    public PacketBlock? Get(long number)
    {
        var spin = default(SpinWait);
        while (true)
        {
            var published = Volatile.Read(ref _published);
            if (published > number + DecodeAhead || Volatile.Read(ref _ended))
            {
                break;
            }

            if (PlaceFree(published) && _decodeLock.TryEnter())
            {
                try
                {
                    if (_published == published && !_ended)
                    {
                        DecodeNext();
                    }
                }
                finally
                {
                    _decodeLock.Exit();
                }

                continue;
            }

            if (published > number)
            {
                break; // it cannot decode ahead now, and needs not wait: its block is there
            }

            if (_shared.StopRequested || _shared.CapacityExceeded)
            {
                return null;
            }

            // Sleeps once it has spun a while: the shard behind may itself wait long (on the merge, on a slow reader
            // of the output), and a core spinning all that time is taken from the threads that would end the wait.
            spin.SpinOnce();
        }

        return _ring[number % RingSize];
    }

    /// <summary>The shard is done with every block up to and including <paramref name="number"/>.</summary>
    public void Release(int shard, long number) => Volatile.Write(ref _released[shard], number + 1);

    /// <summary>The shard stops walking the blocks (finished, failed or stopped): nobody waits for it any more.</summary>
    public void Leave(int shard) => Volatile.Write(ref _released[shard], long.MaxValue);

    public void Dispose()
    {
        // Under the lock: a shard that outlived the merge's wait for it may still be decoding.
        lock (_decodeLock)
        {
            _source?.Dispose();
            _stream?.Dispose();
        }
    }

    /// <summary>Decodes the next block into its place in the ring, which every shard is done with.</summary>
    [MethodImpl(Compile.Hot)]
    private void DecodeNext()
    {
        var number = _published;
        var block = _ring[number % RingSize];
        block.Reset();
        try
        {
            if (_source is null)
            {
                _stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
                Volatile.Write(ref _length, _stream.Length);
                _source = CaptureFile.Open(_stream, _path);
            }

            Fill(block, _source);
        }
#pragma warning disable CA1031 // Handed to every shard, which fails with it after the packets before it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            block.Failure = ex;
            block.Last = true;
        }

        if (block.Last)
        {
            block.Totals = new ReadTotals(_stats, _accepted, _source is null ? [] : [.. _source.Warnings]);
        }

        if (block.Failure is null)
        {
            // (After a failure the stream may be closed: the reader disposes it when the file is not a capture.)
            Volatile.Write(ref _position, block.Last ? _length : _stream!.Position);
        }

        Volatile.Write(ref _published, number + 1);
        if (block.Last)
        {
            Volatile.Write(ref _ended, true);
        }
    }

    [MethodImpl(Compile.Hot)]
    private void Fill(PacketBlock block, IFrameSource source)
    {
        var filter = _options.Filter;
        var n = 0;
        try
        {
            while (n < BlockSize)
            {
                if (!source.TryReadFrame(out var frame))
                {
                    block.Last = true;
                    break;
                }

                _frameNumber++;
                ref var packet = ref block.Packets[n];
                if (PacketDecoder.TryDecode(in frame, _frameNumber, out packet, ref _stats)
                    && (filter is null || filter.Matches(in packet)))
                {
                    var key = FlowKey.Of(in packet, out var sender);
                    var hash = key.Hash();
                    block.Keys[n] = key;
                    block.Hashes[n] = hash;
                    block.Senders[n] = (byte)sender;
                    block.Owners[n] = (byte)TrackerShard.Of(hash, _shards);
                    block.Timestamps[n] = packet.TimestampNs;
                    n++;
                }
            }
        }
        finally
        {
            // A read that fails part way leaves the packets before it in the block.
            block.Count = n;
            _accepted += n;
        }
    }

    /// <summary>Whether every shard is done with the block that last used block <paramref name="number"/>'s place.</summary>
    private bool PlaceFree(long number)
    {
        var needed = number - RingSize + 1; // every shard must have released the blocks below this
        foreach (ref var released in _released.AsSpan())
        {
            if (Volatile.Read(ref released) < needed)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One block of decoded packets, with what each shard needs to tell its own from the others'.</summary>
internal sealed class PacketBlock
{
    public TcpPacket[] Packets { get; } = new TcpPacket[SharedDecoder.BlockSize];

    public FlowKey[] Keys { get; } = new FlowKey[SharedDecoder.BlockSize];

    public uint[] Hashes { get; } = new uint[SharedDecoder.BlockSize];

    /// <summary>Which side of the flow key sent each packet.</summary>
    public byte[] Senders { get; } = new byte[SharedDecoder.BlockSize];

    /// <summary>Which shard tracks each packet.</summary>
    public byte[] Owners { get; } = new byte[SharedDecoder.BlockSize];

    /// <summary>Each packet's time, apart from the packets: every shard reads them, most shards nothing else.</summary>
    public long[] Timestamps { get; } = new long[SharedDecoder.BlockSize];

    public int Count { get; set; }

    /// <summary>Nothing follows: the end of the file, or <see cref="Failure"/>.</summary>
    public bool Last { get; set; }

    /// <summary>Reading failed after the block's packets.</summary>
    public Exception? Failure { get; set; }

    /// <summary>In the last block: what the reader made of the file.</summary>
    public ReadTotals? Totals { get; set; }

    public void Reset()
    {
        Count = 0;
        Last = false;
        Failure = null;
        Totals = null;
    }
}

/// <summary>What reading a whole file came to: the decoder's counts, the packets the filter accepted, the warnings.</summary>
internal sealed record ReadTotals(DecodeStats Decode, long Accepted, IReadOnlyList<string> Warnings);
