using System.Buffers.Binary;

namespace Linger.Wire.Files.Internal;

/// <summary>
/// pcapng files (draft-ietf-opsawg-pcapng): a sequence of sections, each a Section Header Block with its own byte
/// order followed by Interface Description Blocks and packet blocks. Every block starts with its type and total
/// length and ends with the length again, so blocks we do not need are stepped over whole.
/// </summary>
internal sealed class PcapNgReader : IFrameSource
{
    public const uint SectionHeaderType = 0x0A0D0D0A;
    public const uint InterfaceDescriptionType = 1;
    public const uint ObsoletePacketType = 2;
    public const uint SimplePacketType = 3;
    public const uint EnhancedPacketType = 6;
    public const uint ByteOrderMagic = 0x1A2B3C4D;

    private const int MinBlockLength = 12;
    private const int MinSectionHeaderLength = 28;
    private const int MinInterfaceDescriptionLength = 20;
    private const int PacketBlockFixedLength = 32;
    private const int MinSimplePacketLength = 16;
    private const int MaxInterfacesPerSection = 65536;
    private const ushort TsresolOption = 9;
    private const ushort TsoffsetOption = 14;

    private readonly CaptureInput _input;
    private readonly HashSet<uint> _unknownBlockTypesSeen = [];
    private CaptureInterface[] _interfaces = new CaptureInterface[4];
    private int _interfaceCount;
    private bool _bigEndian;
    private bool _ended;
    private long _lastTimestampNs;

    private PcapNgReader(CaptureInput input) => _input = input;

    public IReadOnlyList<string> Warnings => _input.Warnings;

    /// <summary>Starts reading; the caller has checked that the stream starts with a Section Header Block.</summary>
    public static PcapNgReader Open(CaptureInput input) => new(input);

    public bool TryReadFrame(out Frame frame)
    {
        frame = default;
        while (!_ended)
        {
            var offset = _input.Position;
            if (!_input.Ensure(8))
            {
                return End(offset, 8);
            }

            var head = _input.Peek(8);

            // The section header's type reads the same in both byte orders; its byte-order magic decides the rest.
            if (BinaryPrimitives.ReadUInt32LittleEndian(head) == SectionHeaderType)
            {
                if (!_input.Ensure(12))
                {
                    return End(offset, 12);
                }

                ReadByteOrder(offset, _input.Peek(12)[8..]);
                head = _input.Peek(8);
            }

            var type = ReadUInt32(head);
            var length = ReadUInt32(head[4..]);
            ValidateBlockLength(offset, type, length);
            if (!_input.Ensure((int)length))
            {
                return End(offset, (int)length);
            }

            var block = _input.Peek((int)length);
            var trailer = ReadUInt32(block[^4..]);
            if (trailer != length)
            {
                throw _input.Error(
                    offset,
                    $"block of type 0x{type:X8} says it is {length} bytes long at its start but {trailer} at its end " +
                    $"(offset {offset + length - 4}): the file is damaged here. " + FileFormatText.Salvage);
            }

            var isFrame = type switch
            {
                EnhancedPacketType => ReadEnhancedPacket(block, offset, out frame),
                SimplePacketType => ReadSimplePacket(block, offset, out frame),
                ObsoletePacketType => ReadObsoletePacket(block, offset, out frame),
                InterfaceDescriptionType => AddInterface(block, offset),
                SectionHeaderType => StartSection(block, offset),
                _ => SkipBlock(type, offset, length),
            };

            // The frame's bytes stay valid: Advance only moves the cursor; the buffer changes on the next Ensure.
            _input.Advance((int)length);
            if (isFrame)
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _input.Dispose();

    private void ReadByteOrder(long offset, ReadOnlySpan<byte> magic)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(magic) == ByteOrderMagic)
        {
            _bigEndian = false;
        }
        else if (BinaryPrimitives.ReadUInt32BigEndian(magic) == ByteOrderMagic)
        {
            _bigEndian = true;
        }
        else
        {
            throw _input.Error(
                offset + 8,
                $"the section header at offset {offset} has byte-order magic {FileFormatText.Hex(magic)}, " +
                "expected 1A2B3C4D in either byte order: the file is damaged here or is not pcapng. " +
                FileFormatText.Salvage);
        }
    }

    private void ValidateBlockLength(long offset, uint type, uint length)
    {
        string? problem = null;
        if (length < MinBlockLength)
        {
            problem = $"is {length} bytes long, less than the {MinBlockLength} bytes every block has";
        }
        else if (length % 4 != 0)
        {
            problem = $"is {length} bytes long, not a multiple of 4 as every block must be";
        }
        else if (length > CaptureInput.MaxRecordLength)
        {
            problem = $"claims {length} bytes, more than any block can hold ({CaptureInput.MaxRecordLength} bytes)";
        }

        if (problem is not null)
        {
            throw _input.Error(
                offset,
                $"block of type 0x{type:X8} {problem}: the file is damaged here. " + FileFormatText.Salvage);
        }
    }

    private bool StartSection(ReadOnlySpan<byte> block, long offset)
    {
        if (block.Length < MinSectionHeaderLength)
        {
            throw TooShort(offset, "section header", block.Length, MinSectionHeaderLength);
        }

        var major = ReadUInt16(block[12..]);
        var minor = ReadUInt16(block[14..]);
        if (major != 1)
        {
            throw _input.Error(
                offset,
                $"the section at offset {offset} is pcapng version {major}.{minor}; only version 1 is defined. " +
                "The file is damaged here, or was written by a tool that Linger does not know.");
        }

        // A new section starts a new list of interfaces.
        _interfaceCount = 0;
        return false;
    }

    private bool AddInterface(ReadOnlySpan<byte> block, long offset)
    {
        if (block.Length < MinInterfaceDescriptionLength)
        {
            throw TooShort(offset, "interface description", block.Length, MinInterfaceDescriptionLength);
        }

        if (_interfaceCount == MaxInterfacesPerSection)
        {
            throw _input.Error(
                offset,
                $"more than {MaxInterfacesPerSection} interfaces in one section: the file is damaged here. " +
                FileFormatText.Salvage);
        }

        var linkType = (LinkType)ReadUInt16(block[8..]);
        var snapLength = ReadUInt32(block[12..]);
        var scale = ReadInterfaceOptions(block[16..^4], offset, offset + 16);

        if (_interfaceCount == _interfaces.Length)
        {
            Array.Resize(ref _interfaces, _interfaces.Length * 2);
        }

        _interfaces[_interfaceCount++] = new CaptureInterface(linkType, snapLength, scale);
        return false;
    }

    private TimestampScale ReadInterfaceOptions(ReadOnlySpan<byte> options, long blockOffset, long optionsOffset)
    {
        byte? tsresol = null;
        long tsoffset = 0;
        var position = 0;
        while (position + 4 <= options.Length)
        {
            var code = ReadUInt16(options[position..]);
            var length = ReadUInt16(options[(position + 2)..]);
            if (code == 0)
            {
                break;
            }

            var valueStart = position + 4;
            if (length > options.Length - valueStart)
            {
                throw _input.Error(
                    optionsOffset + position,
                    $"option {code} of the interface description block at offset {blockOffset} is {length} bytes " +
                    "long and runs past the end of its block: the file is damaged here. " + FileFormatText.Salvage);
            }

            var value = options.Slice(valueStart, length);
            if (code == TsresolOption)
            {
                tsresol = length >= 1
                    ? value[0]
                    : throw BadOption(optionsOffset + position, blockOffset, "if_tsresol", "1 byte", length);
            }
            else if (code == TsoffsetOption)
            {
                tsoffset = length == 8
                    ? (long)ReadUInt64(value)
                    : throw BadOption(optionsOffset + position, blockOffset, "if_tsoffset", "8 bytes", length);
            }

            position = valueStart + ((length + 3) & ~3);
        }

        if (tsresol is null)
        {
            return TimestampScale.Microseconds.WithOffset(tsoffset);
        }

        return TimestampScale.FromResolution(tsresol.Value, tsoffset)
            ?? throw _input.Error(
                blockOffset,
                $"the interface description block at offset {blockOffset} gives a time resolution (if_tsresol " +
                $"0x{tsresol.Value:X2}) finer than 10^-19 or 2^-63 seconds: the value is damaged.");
    }

    private bool ReadEnhancedPacket(ReadOnlySpan<byte> block, long offset, out Frame frame)
    {
        if (block.Length < PacketBlockFixedLength)
        {
            throw TooShort(offset, "enhanced packet", block.Length, PacketBlockFixedLength);
        }

        var interfaceId = ReadUInt32(block[8..]);
        var ticks = ((ulong)ReadUInt32(block[12..]) << 32) | ReadUInt32(block[16..]);
        var capturedLength = ReadUInt32(block[20..]);
        var originalLength = ReadUInt32(block[24..]);
        frame = PacketFrame(block, offset, interfaceId, ticks, capturedLength, originalLength, "enhanced packet");
        return true;
    }

    private bool ReadObsoletePacket(ReadOnlySpan<byte> block, long offset, out Frame frame)
    {
        if (block.Length < PacketBlockFixedLength)
        {
            throw TooShort(offset, "packet", block.Length, PacketBlockFixedLength);
        }

        var interfaceId = ReadUInt16(block[8..]);
        var ticks = ((ulong)ReadUInt32(block[12..]) << 32) | ReadUInt32(block[16..]);
        var capturedLength = ReadUInt32(block[20..]);
        var originalLength = ReadUInt32(block[24..]);
        frame = PacketFrame(block, offset, interfaceId, ticks, capturedLength, originalLength, "packet");
        return true;
    }

    private Frame PacketFrame(
        ReadOnlySpan<byte> block,
        long offset,
        uint interfaceId,
        ulong ticks,
        uint capturedLength,
        uint originalLength,
        string blockName)
    {
        var room = block.Length - PacketBlockFixedLength;
        if (capturedLength > room)
        {
            throw _input.Error(
                offset,
                $"the {blockName} block at offset {offset} says it holds {capturedLength} captured bytes, but only " +
                $"{room} fit in its {block.Length}-byte block: the file is damaged here. " + FileFormatText.Salvage);
        }

        var iface = InterfaceAt(interfaceId, offset, blockName);
        var timestamp = iface.Scale.ToNanoseconds(ticks);
        _lastTimestampNs = timestamp;
        return new Frame(
            iface.LinkType,
            timestamp,
            (int)Math.Min(originalLength, int.MaxValue),
            block.Slice(28, (int)capturedLength),
            (int)interfaceId,
            offset);
    }

    private bool ReadSimplePacket(ReadOnlySpan<byte> block, long offset, out Frame frame)
    {
        if (block.Length < MinSimplePacketLength)
        {
            throw TooShort(offset, "simple packet", block.Length, MinSimplePacketLength);
        }

        var iface = InterfaceAt(0, offset, "simple packet");
        var originalLength = ReadUInt32(block[8..]);

        // The block has no captured-length field: the interface's snap length (0 = none) cut the packet.
        var capturedLength = iface.SnapLength == 0 ? originalLength : Math.Min(originalLength, iface.SnapLength);
        var room = block.Length - MinSimplePacketLength;
        if (capturedLength > room)
        {
            throw _input.Error(
                offset,
                $"the simple packet block at offset {offset} holds a {originalLength}-byte packet (snap length " +
                $"{iface.SnapLength}), so {capturedLength} captured bytes, but only {room} fit in its " +
                $"{block.Length}-byte block: the file is damaged here. " + FileFormatText.Salvage);
        }

        // Simple packet blocks carry no time; they get the time of the packet before them.
        frame = new Frame(
            iface.LinkType,
            _lastTimestampNs,
            (int)Math.Min(originalLength, int.MaxValue),
            block.Slice(12, (int)capturedLength),
            0,
            offset);
        return true;
    }

    private CaptureInterface InterfaceAt(uint interfaceId, long offset, string blockName)
    {
        if (interfaceId >= _interfaceCount)
        {
            throw _input.Error(
                offset,
                $"the {blockName} block at offset {offset} refers to interface {interfaceId}, but its section " +
                $"describes {_interfaceCount} interface(s) before it: the file is damaged here or was assembled " +
                "wrongly. " + FileFormatText.Salvage);
        }

        return _interfaces[interfaceId];
    }

    private bool SkipBlock(uint type, long offset, uint length)
    {
        if (!IsKnownNonPacketBlock(type) && _unknownBlockTypesSeen.Count < 64 && _unknownBlockTypesSeen.Add(type))
        {
            _input.Warn($"skipped a block of unknown type 0x{type:X8} ({length} bytes) at offset {offset}; " +
                "later blocks of this type are skipped without a warning");
        }

        return false;
    }

    private static bool IsKnownNonPacketBlock(uint type) => type switch
    {
        4 => true, // name resolution
        5 => true, // interface statistics
        9 => true, // systemd journal export
        10 => true, // decryption secrets
        0x0BAD or 0x4000_0BAD => true, // custom blocks
        _ => false,
    };

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

    private CaptureFormatException TooShort(long offset, string blockName, int length, int minimum) =>
        _input.Error(
            offset,
            $"the {blockName} block at offset {offset} is {length} bytes long, shorter than the {minimum} bytes " +
            "its fixed fields need: the file is damaged here. " + FileFormatText.Salvage);

    private CaptureFormatException BadOption(long optionOffset, long blockOffset, string name, string expected, int length) =>
        _input.Error(
            optionOffset,
            $"the {name} option of the interface description block at offset {blockOffset} is {length} bytes " +
            $"long, expected {expected}: the file is damaged here. " + FileFormatText.Salvage);

    private ushort ReadUInt16(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);

    private uint ReadUInt32(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);

    private ulong ReadUInt64(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span);

    private readonly record struct CaptureInterface(LinkType LinkType, uint SnapLength, TimestampScale Scale);
}
