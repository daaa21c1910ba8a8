using System.Buffers.Binary;

namespace Linger.Tests.Wire.Support;

/// <summary>Appends integers in a chosen byte order: the tests' own way of laying out capture bytes by hand.</summary>
internal sealed class ByteBuilder(bool bigEndian = false)
{
    private readonly List<byte> _bytes = [];

    public bool BigEndian { get; set; } = bigEndian;

    public int Length => _bytes.Count;

    public ByteBuilder U8(int value)
    {
        _bytes.Add((byte)value);
        return this;
    }

    public ByteBuilder U16(int value)
    {
        Span<byte> b = stackalloc byte[2];
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
        }

        return Bytes(b);
    }

    public ByteBuilder U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        }

        return Bytes(b);
    }

    public ByteBuilder U64(ulong value) => BigEndian
        ? U32((uint)(value >> 32)).U32((uint)value)
        : U32((uint)value).U32((uint)(value >> 32));

    public ByteBuilder Bytes(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _bytes.Add(b);
        }

        return this;
    }

    /// <summary>Zero bytes up to the next multiple of 4.</summary>
    public ByteBuilder Pad4()
    {
        while (_bytes.Count % 4 != 0)
        {
            _bytes.Add(0);
        }

        return this;
    }

    public byte[] ToArray() => [.. _bytes];
}
