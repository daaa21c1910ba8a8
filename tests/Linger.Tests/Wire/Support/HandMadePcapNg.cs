namespace Linger.Tests.Wire.Support;

/// <summary>
/// pcapng files laid out block by block from the specification, independently of Linger's writer: several sections,
/// either byte order, interfaces with their options, every packet block type, and arbitrary blocks.
/// </summary>
internal sealed class HandMadePcapNg
{
    private readonly List<byte> _file = [];
    private bool _bigEndian;

    /// <summary>Offsets of the blocks written so far, in order.</summary>
    public List<int> BlockOffsets { get; } = [];

    public HandMadePcapNg Section(bool bigEndian, int major = 1)
    {
        _bigEndian = bigEndian;
        var body = New().U32(0x1A2B3C4D).U16(major).U16(0).U64(ulong.MaxValue);
        return Block(0x0A0D0D0A, body.ToArray());
    }

    /// <param name="tsresol">The if_tsresol byte, or null to leave the option out (microseconds).</param>
    /// <param name="tsoffset">The if_tsoffset in seconds, or null to leave the option out.</param>
    public HandMadePcapNg Interface(int linkType, uint snapLength = 0, byte? tsresol = null, long? tsoffset = null)
    {
        var body = New().U16(linkType).U16(0).U32(snapLength);

        // An option the reader must step over: if_name "eth0".
        body.U16(2).U16(4).Bytes("eth0"u8);
        if (tsresol is { } r)
        {
            body.U16(9).U16(1).U8(r).Pad4();
        }

        if (tsoffset is { } o)
        {
            body.U16(14).U16(8).U64((ulong)o);
        }

        body.U16(0).U16(0);
        return Block(1, body.ToArray());
    }

    public HandMadePcapNg Enhanced(uint interfaceId, ulong ticks, byte[] data, uint? originalLength = null, uint? capturedLength = null)
    {
        var body = New()
            .U32(interfaceId)
            .U32((uint)(ticks >> 32)).U32((uint)ticks)
            .U32(capturedLength ?? (uint)data.Length).U32(originalLength ?? (uint)data.Length)
            .Bytes(data).Pad4()
            // An option the reader must step over: opt_comment "hi", then opt_endofopt.
            .U16(1).U16(2).Bytes("hi"u8).Pad4().U16(0).U16(0);
        return Block(6, body.ToArray());
    }

    /// <summary>A Simple Packet Block: only the original length and the (snapped) data.</summary>
    public HandMadePcapNg Simple(uint originalLength, byte[] capturedData) =>
        Block(3, New().U32(originalLength).Bytes(capturedData).Pad4().ToArray());

    /// <summary>The obsolete Packet Block (type 2).</summary>
    public HandMadePcapNg Obsolete(ushort interfaceId, ulong ticks, byte[] data) =>
        Block(2, New()
            .U16(interfaceId).U16(0)
            .U32((uint)(ticks >> 32)).U32((uint)ticks)
            .U32((uint)data.Length).U32((uint)data.Length)
            .Bytes(data).Pad4().ToArray());

    /// <summary>Any block: type, body (padded to 4), lengths at both ends.</summary>
    public HandMadePcapNg Block(uint type, byte[] body)
    {
        var padded = (body.Length + 3) & ~3;
        var total = (uint)(12 + padded);
        BlockOffsets.Add(_file.Count);
        var b = New().U32(type).U32(total).Bytes(body).Pad4().U32(total);
        _file.AddRange(b.ToArray());
        return this;
    }

    /// <summary>Raw bytes appended as they are (for damaged files).</summary>
    public HandMadePcapNg Raw(byte[] bytes)
    {
        _file.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. _file];

    private ByteBuilder New() => new(_bigEndian);
}
