namespace Linger.Tests.Wire.Support;

/// <summary>Classic pcap files laid out byte by byte, independently of Linger's writer.</summary>
internal static class HandMadePcap
{
    public const uint MicrosecondMagic = 0xA1B2C3D4;
    public const uint NanosecondMagic = 0xA1B23C4D;

    public sealed record Record(uint Seconds, uint Fraction, byte[] Data, uint OriginalLength);

    public static byte[] File(bool bigEndian, bool nanosecond, int linkType, IEnumerable<Record> records, uint snapLength = 65535)
    {
        var b = new ByteBuilder(bigEndian)
            .U32(nanosecond ? NanosecondMagic : MicrosecondMagic)
            .U16(2).U16(4)
            .U32(0).U32(0)
            .U32(snapLength)
            .U32((uint)linkType);
        foreach (var r in records)
        {
            b.U32(r.Seconds).U32(r.Fraction).U32((uint)r.Data.Length).U32(r.OriginalLength).Bytes(r.Data);
        }

        return b.ToArray();
    }
}
