using System.Buffers.Binary;
using Linger.Wire.Files.Internal;

namespace Linger.Wire.Files;

/// <summary>
/// Writes classic pcap (libpcap 2.4, microsecond timestamps, little-endian) for one link type: the simplest format
/// every tool reads. Timestamps are cut to the microsecond. Not thread-safe.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    private const int RecordHeaderLength = 16;
    private const uint Magic = 0xA1B2C3D4;

    private readonly OutputBuffer _output;
    private readonly int _snapLength;

    /// <summary>Starts a pcap stream: writes the file header.</summary>
    /// <param name="stream">Where to write; owned by the writer unless <paramref name="leaveOpen"/>.</param>
    /// <param name="linkType">The link-layer header type of every frame.</param>
    /// <param name="snapLength">The snap length recorded in the header (default 262144); frames may not be longer.</param>
    /// <param name="leaveOpen">True to leave the stream open when the writer is disposed.</param>
    public PcapWriter(Stream stream, LinkType linkType, int snapLength = PcapNgWriter.DefaultSnapLength, bool leaveOpen = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        _output = new OutputBuffer(stream, leaveOpen);
        _snapLength = snapLength;
        LinkType = linkType;

        Span<byte> header = stackalloc byte[PcapReader.FileHeaderLength];
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)linkType);
        _output.WriteDirect(header);
    }

    /// <summary>The link-layer header type of every frame in the file.</summary>
    public LinkType LinkType { get; }

    /// <summary>Writes one frame.</summary>
    /// <param name="timestampNs">Capture time in nanoseconds since the Unix epoch; stored to the microsecond, up to the year 2106.</param>
    /// <param name="data">The captured bytes, at most the snap length.</param>
    /// <param name="originalLength">The frame's length on the wire (at least <paramref name="data"/>'s length).</param>
    public void WriteFrame(long timestampNs, ReadOnlySpan<byte> data, int originalLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestampNs);
        ArgumentOutOfRangeException.ThrowIfLessThan(originalLength, data.Length);
        if (data.Length > _snapLength)
        {
            throw new ArgumentException($"{data.Length} captured bytes exceed the snap length {_snapLength}.", nameof(data));
        }

        var seconds = timestampNs / 1_000_000_000;
        if (seconds > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(timestampNs), "pcap seconds are 32 bits: times after 2106 do not fit.");
        }

        var microseconds = (uint)(timestampNs % 1_000_000_000 / 1000);
        var length = RecordHeaderLength + data.Length;
        var record = _output.Reserve(length);
        Span<byte> header = record.IsEmpty ? stackalloc byte[RecordHeaderLength] : record;
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], microseconds);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)originalLength);
        if (record.IsEmpty)
        {
            _output.WriteDirect(header);
            _output.WriteDirect(data);
            return;
        }

        data.CopyTo(record[RecordHeaderLength..]);
        _output.Commit(length);
    }

    /// <summary>Writes everything buffered to the stream and flushes it.</summary>
    public void Flush() => _output.Flush(toStream: true);

    /// <summary>Flushes, and closes the stream unless it was to be left open.</summary>
    public void Dispose() => _output.Dispose();
}
