using System.Buffers.Binary;

namespace Linger.Tests.WireLive;

/// <summary>
/// Just enough of the classic pcap format (microsecond magic, this machine's byte order) for the tests to hand
/// packets to tcpdump and tshark and read back what they keep. The product's own readers and writers live
/// elsewhere; these tests do not depend on them.
/// </summary>
internal static class ClassicPcap
{
    public const uint LinkTypeEthernet = 1;
    public const uint LinkTypeLinuxSll2 = 276;

    public static void Write(string path, uint linkType, IEnumerable<byte[]> frames)
    {
        using var file = File.Create(path);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 262144);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], linkType);
        file.Write(header);

        var second = 1_700_000_000u;
        Span<byte> record = stackalloc byte[16];
        foreach (var frame in frames)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record, second++);
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frame.Length);
            file.Write(record);
            file.Write(frame);
        }
    }

    /// <summary>The frames of a little-endian classic pcap file (as tcpdump writes on this machine).</summary>
    public static List<byte[]> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 24 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != 0xa1b2c3d4)
        {
            throw new InvalidDataException($"{path} is not a little-endian microsecond pcap file");
        }

        var frames = new List<byte[]>();
        var offset = 24;
        while (offset + 16 <= bytes.Length)
        {
            var included = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8));
            frames.Add(bytes.AsSpan(offset + 16, included).ToArray());
            offset += 16 + included;
        }

        return frames;
    }
}
