using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Linger.Wire.Files.Internal;

/// <summary>
/// Classic libpcap files: a 24-byte file header, then records of a 16-byte header and the captured bytes.
/// The magic number says the byte order and whether the fraction of a second is in microseconds or nanoseconds.
/// </summary>
internal sealed class PcapReader : IFrameSource
{
    public const int FileHeaderLength = 24;
    private const int RecordHeaderLength = 16;

    // The link-type field's upper bits carry the FCS length (libpcap's LT_FCS_* macros); the type is the rest.
    private const uint LinkTypeMask = 0x03FF_FFFF;

    private readonly CaptureInput _input;
    private readonly bool _bigEndian;
    private readonly long _nanosecondsPerFractionUnit;
    private readonly LinkType _linkType;
    private bool _ended;

    private PcapReader(CaptureInput input, bool bigEndian, bool nanosecond, LinkType linkType)
    {
        _input = input;
        _bigEndian = bigEndian;
        _nanosecondsPerFractionUnit = nanosecond ? 1 : 1000;
        _linkType = linkType;
    }

    public IReadOnlyList<string> Warnings => _input.Warnings;

    /// <summary>Reads the file header; the caller has checked the magic.</summary>
    public static PcapReader Open(CaptureInput input, bool bigEndian, bool nanosecond)
    {
        if (!input.Ensure(FileHeaderLength))
        {
            throw input.Error(
                input.Available,
                $"the file ends after {input.Available} bytes, inside the {FileHeaderLength}-byte pcap file header; " +
                "the file was cut short or is not a capture");
        }

        var header = input.Peek(FileHeaderLength);
        var major = ReadUInt16(header[4..], bigEndian);
        var minor = ReadUInt16(header[6..], bigEndian);
        if (major != 2)
        {
            throw input.Error(
                4,
                $"pcap format version {major}.{minor} is not supported (expected 2.4); the file header is damaged " +
                "or the file was written by an unusual tool; convert it with `editcap -F pcap IN OUT`");
        }

        var linkType = (LinkType)(ReadUInt32(header[20..], bigEndian) & LinkTypeMask);
        input.Advance(FileHeaderLength);
        return new PcapReader(input, bigEndian, nanosecond, linkType);
    }

    [MethodImpl(Compile.Hot)]
    public bool TryReadFrame(out Frame frame)
    {
        frame = default;
        if (_ended)
        {
            return false;
        }

        var offset = _input.Position;
        if (!_input.Ensure(RecordHeaderLength))
        {
            return End(offset, RecordHeaderLength);
        }

        var header = _input.Peek(RecordHeaderLength);
        uint seconds, fraction, capturedLength, originalLength;
        if (_bigEndian)
        {
            seconds = BinaryPrimitives.ReadUInt32BigEndian(header);
            fraction = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
            capturedLength = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
            originalLength = BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
        }
        else
        {
            seconds = BinaryPrimitives.ReadUInt32LittleEndian(header);
            fraction = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            capturedLength = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
            originalLength = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        }

        if (capturedLength > CaptureInput.MaxRecordLength)
        {
            throw _input.Error(
                offset,
                $"the record header says {capturedLength} captured bytes, more than any packet record can hold " +
                $"({CaptureInput.MaxRecordLength} bytes): the file is damaged from here on. " + FileFormatText.Salvage);
        }

        var recordLength = RecordHeaderLength + (int)capturedLength;
        if (!_input.Ensure(recordLength))
        {
            return End(offset, recordLength);
        }

        var data = _input.Peek(recordLength)[RecordHeaderLength..];
        _input.Advance(recordLength);
        var timestamp = unchecked(((long)seconds * 1_000_000_000) + (fraction * _nanosecondsPerFractionUnit));
        frame = new Frame(_linkType, timestamp, (int)Math.Min(originalLength, int.MaxValue), data, 0, offset);
        return true;
    }

    public void Dispose() => _input.Dispose();

    private bool End(long offset, int needed)
    {
        _ended = true;
        if (_input.Available > 0)
        {
            _input.Warn(FileFormatText.TruncatedLastRecord(offset, _input.Available, needed));
            _input.AdvanceToEnd();
        }

        return false;
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);

    private static uint ReadUInt32(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
}
