using System.Buffers.Binary;
using System.Text;
using Linger.Wire.Files.Internal;

namespace Linger.Wire.Files;

/// <summary>
/// Writes pcapng that Wireshark, tshark and tcpdump open: a Section Header Block, one Interface Description Block
/// per (link type, snap length) as they first appear, with nanosecond timestamps (if_tsresol 9), and an Enhanced
/// Packet Block per frame. Little-endian. Not thread-safe.
/// </summary>
public sealed class PcapNgWriter : IDisposable
{
    /// <summary>The snap length written when none is given: 262144 bytes, as tcpdump and dumpcap use.</summary>
    public const int DefaultSnapLength = 262144;

    private const int EnhancedPacketFixedLength = 32;
    private const ushort UserApplicationOption = 4;
    private const ushort TsresolOption = 9;
    private const byte Nanoseconds = 9;

    private readonly OutputBuffer _output;
    private readonly List<(LinkType LinkType, int SnapLength)> _interfaces = [];
    private int _lastInterface = -1;

    /// <summary>Starts a pcapng stream: writes its Section Header Block.</summary>
    /// <param name="stream">Where to write; owned by the writer unless <paramref name="leaveOpen"/>.</param>
    /// <param name="leaveOpen">True to leave the stream open when the writer is disposed.</param>
    /// <param name="application">Recorded as the section's shb_userappl option (Wireshark shows it in capture properties).</param>
    public PcapNgWriter(Stream stream, bool leaveOpen = false, string application = "Linger")
    {
        ArgumentNullException.ThrowIfNull(application);
        _output = new OutputBuffer(stream, leaveOpen);
        WriteSectionHeader(application);
    }

    /// <summary>Writes one frame captured with the <see cref="DefaultSnapLength"/>.</summary>
    /// <param name="linkType">The frame's link-layer header type.</param>
    /// <param name="timestampNs">Capture time in nanoseconds since the Unix epoch (not negative).</param>
    /// <param name="data">The captured bytes.</param>
    /// <param name="originalLength">The frame's length on the wire (at least <paramref name="data"/>'s length).</param>
    public void WriteFrame(LinkType linkType, long timestampNs, ReadOnlySpan<byte> data, int originalLength) =>
        WriteFrame(linkType, DefaultSnapLength, timestampNs, data, originalLength);

    /// <summary>Writes one frame captured on an interface with the given snap length.</summary>
    /// <param name="linkType">The frame's link-layer header type.</param>
    /// <param name="snapLength">The capture's snap length (0: unlimited); <paramref name="data"/> may not be longer.</param>
    /// <param name="timestampNs">Capture time in nanoseconds since the Unix epoch (not negative).</param>
    /// <param name="data">The captured bytes.</param>
    /// <param name="originalLength">The frame's length on the wire (at least <paramref name="data"/>'s length).</param>
    public void WriteFrame(LinkType linkType, int snapLength, long timestampNs, ReadOnlySpan<byte> data, int originalLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(snapLength);
        ArgumentOutOfRangeException.ThrowIfNegative(timestampNs);
        ArgumentOutOfRangeException.ThrowIfLessThan(originalLength, data.Length);
        if (snapLength != 0 && data.Length > snapLength)
        {
            throw new ArgumentException($"{data.Length} captured bytes exceed the snap length {snapLength}.", nameof(data));
        }

        var interfaceId = InterfaceFor(linkType, snapLength);
        var padded = (data.Length + 3) & ~3;
        var length = EnhancedPacketFixedLength + padded;
        var block = _output.Reserve(length);
        if (block.IsEmpty)
        {
            WriteLargePacket(interfaceId, timestampNs, data, originalLength, length);
            return;
        }

        WritePacketHeader(block, interfaceId, timestampNs, data.Length, originalLength, length);
        data.CopyTo(block[28..]);
        block.Slice(28 + data.Length, padded - data.Length).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(block[^4..], (uint)length);
        _output.Commit(length);
    }

    /// <summary>Writes everything buffered to the stream and flushes it.</summary>
    public void Flush() => _output.Flush(toStream: true);

    /// <summary>Flushes, and closes the stream unless it was to be left open.</summary>
    public void Dispose() => _output.Dispose();

    private int InterfaceFor(LinkType linkType, int snapLength)
    {
        if (_lastInterface >= 0 && _interfaces[_lastInterface] == (linkType, snapLength))
        {
            return _lastInterface;
        }

        var id = _interfaces.IndexOf((linkType, snapLength));
        if (id < 0)
        {
            id = _interfaces.Count;
            _interfaces.Add((linkType, snapLength));
            WriteInterfaceDescription(linkType, snapLength);
        }

        _lastInterface = id;
        return id;
    }

    private void WriteSectionHeader(string application)
    {
        var appBytes = Encoding.UTF8.GetBytes(application);
        var optionsLength = appBytes.Length == 0 ? 0 : 4 + ((appBytes.Length + 3) & ~3) + 4;
        var length = 28 + optionsLength;
        Span<byte> block = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(block, PcapNgReader.SectionHeaderType);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], PcapNgReader.ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(block[12..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(block[14..], 0);

        // Section length unknown (-1): the file is written as a stream.
        BinaryPrimitives.WriteInt64LittleEndian(block[16..], -1);
        if (appBytes.Length > 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(block[24..], UserApplicationOption);
            BinaryPrimitives.WriteUInt16LittleEndian(block[26..], (ushort)appBytes.Length);
            appBytes.CopyTo(block[28..]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(block[^4..], (uint)length);
        _output.WriteDirect(block);
    }

    private void WriteInterfaceDescription(LinkType linkType, int snapLength)
    {
        // Fixed fields, if_tsresol (4 + 1 padded to 4), opt_endofopt, trailer.
        const int length = 16 + 8 + 4 + 4;
        Span<byte> block = stackalloc byte[length];
        block.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(block, PcapNgReader.InterfaceDescriptionType);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], length);
        BinaryPrimitives.WriteUInt16LittleEndian(block[8..], (ushort)linkType);
        BinaryPrimitives.WriteUInt32LittleEndian(block[12..], (uint)snapLength);
        BinaryPrimitives.WriteUInt16LittleEndian(block[16..], TsresolOption);
        BinaryPrimitives.WriteUInt16LittleEndian(block[18..], 1);
        block[20] = Nanoseconds;
        BinaryPrimitives.WriteUInt32LittleEndian(block[^4..], length);
        var reserved = _output.Reserve(length);
        block.CopyTo(reserved);
        _output.Commit(length);
    }

    private void WriteLargePacket(int interfaceId, long timestampNs, ReadOnlySpan<byte> data, int originalLength, int length)
    {
        Span<byte> header = stackalloc byte[28];
        WritePacketHeader(header, interfaceId, timestampNs, data.Length, originalLength, length);
        _output.WriteDirect(header);
        _output.WriteDirect(data);
        Span<byte> tail = stackalloc byte[8];
        tail.Clear();
        var padding = ((data.Length + 3) & ~3) - data.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(tail[padding..], (uint)length);
        _output.WriteDirect(tail[..(padding + 4)]);
    }

    private static void WritePacketHeader(Span<byte> block, int interfaceId, long timestampNs, int capturedLength, int originalLength, int length)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(block, PcapNgReader.EnhancedPacketType);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], (uint)interfaceId);
        BinaryPrimitives.WriteUInt32LittleEndian(block[12..], (uint)((ulong)timestampNs >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(block[16..], (uint)timestampNs);
        BinaryPrimitives.WriteUInt32LittleEndian(block[20..], (uint)capturedLength);
        BinaryPrimitives.WriteUInt32LittleEndian(block[24..], (uint)originalLength);
    }
}
