using System.Net;

namespace Linger.Tests.Wire.Support;

/// <summary>
/// Packets assembled field by field from the RFCs (TCP, IPv4, IPv6 and its extension headers, Ethernet and its
/// tags, Linux cooked, BSD loopback), independently of Linger's decoder.
/// </summary>
internal static class HandMadeFrame
{
    public const int EtherTypeIPv4 = 0x0800;
    public const int EtherTypeIPv6 = 0x86DD;

    public static byte[] Tcp(
        ushort sourcePort,
        ushort destinationPort,
        uint sequence,
        uint acknowledgment,
        byte flags,
        ushort window,
        byte[]? options = null,
        int payloadLength = 0)
    {
        options ??= [];
        var headerLength = 20 + ((options.Length + 3) & ~3);
        var b = new ByteBuilder(bigEndian: true)
            .U16(sourcePort).U16(destinationPort)
            .U32(sequence).U32(acknowledgment)
            .U8((headerLength / 4) << 4).U8(flags)
            .U16(window)
            .U16(0) // checksum: not checked by the decoder
            .U16(0) // urgent pointer
            .Bytes(options).Pad4();
        for (var i = 0; i < payloadLength; i++)
        {
            b.U8(i);
        }

        return b.ToArray();
    }

    /// <param name="flagsAndOffset">The 16 bits of flags (DF 0x4000, MF 0x2000) and fragment offset (8-byte units).</param>
    /// <param name="totalLength">The total-length field, when it should not be the true length.</param>
    public static byte[] IPv4(
        string source,
        string destination,
        byte protocol,
        byte[] payload,
        byte ttl = 64,
        ushort id = 0,
        byte[]? options = null,
        ushort flagsAndOffset = 0x4000,
        int? totalLength = null)
    {
        options ??= [];
        var headerLength = 20 + ((options.Length + 3) & ~3);
        return new ByteBuilder(bigEndian: true)
            .U8(0x40 | (headerLength / 4)).U8(0)
            .U16(totalLength ?? (headerLength + payload.Length))
            .U16(id).U16(flagsAndOffset)
            .U8(ttl).U8(protocol)
            .U16(0)
            .Bytes(IPAddress.Parse(source).GetAddressBytes())
            .Bytes(IPAddress.Parse(destination).GetAddressBytes())
            .Bytes(options).Pad4()
            .Bytes(payload)
            .ToArray();
    }

    /// <summary>An IPv6 packet; <paramref name="extensions"/> are (header type, whole header bytes) in order, each naming no next header yet.</summary>
    public static byte[] IPv6(
        string source,
        string destination,
        byte upperProtocol,
        byte[] payload,
        byte hopLimit = 64,
        params (byte Type, byte[] Header)[] extensions)
    {
        var chain = new List<byte>();
        for (var i = 0; i < extensions.Length; i++)
        {
            var header = (byte[])extensions[i].Header.Clone();
            header[0] = i + 1 < extensions.Length ? extensions[i + 1].Type : upperProtocol;
            chain.AddRange(header);
        }

        var first = extensions.Length > 0 ? extensions[0].Type : upperProtocol;
        return new ByteBuilder(bigEndian: true)
            .U32(0x6000_0000)
            .U16(chain.Count + payload.Length)
            .U8(first).U8(hopLimit)
            .Bytes(IPAddress.Parse(source).GetAddressBytes())
            .Bytes(IPAddress.Parse(destination).GetAddressBytes())
            .Bytes([.. chain])
            .Bytes(payload)
            .ToArray();
    }

    /// <summary>A hop-by-hop, routing or destination-options header of 8 * (<paramref name="units"/> + 1) bytes.</summary>
    public static (byte, byte[]) Extension(byte type, int units)
    {
        var header = new byte[8 * (units + 1)];
        header[1] = (byte)units;

        // PadN filling the rest, so the options are well formed.
        header[2] = 1;
        header[3] = (byte)(header.Length - 4);
        return (type, header);
    }

    /// <summary>An IPv6 fragment header.</summary>
    public static (byte, byte[]) Fragment(int offsetUnits, bool more) =>
        (44, new ByteBuilder(bigEndian: true).U8(0).U8(0).U16((offsetUnits << 3) | (more ? 1 : 0)).U32(0x1234).ToArray());

    /// <summary>An authentication header with <paramref name="icvWords"/> 32-bit words of integrity check value.</summary>
    public static (byte, byte[]) Authentication(int icvWords)
    {
        var header = new byte[12 + (4 * icvWords)];
        header[1] = (byte)((header.Length / 4) - 2);
        return (51, header);
    }

    /// <summary>An Ethernet II frame, with any number of (TPID, VLAN id) tags.</summary>
    public static byte[] Ethernet(int etherType, byte[] payload, params (int Tpid, int VlanId)[] tags)
    {
        var b = new ByteBuilder(bigEndian: true)
            .Bytes([0x02, 0, 0, 0, 0, 1])
            .Bytes([0x02, 0, 0, 0, 0, 2]);
        foreach (var (tpid, vlan) in tags)
        {
            b.U16(tpid).U16(vlan);
        }

        return b.U16(etherType).Bytes(payload).ToArray();
    }

    /// <summary>Linux cooked capture v1: packet type, ARPHRD, address length, 8 address bytes, protocol.</summary>
    public static byte[] LinuxSll(int protocol, byte[] payload) =>
        new ByteBuilder(bigEndian: true)
            .U16(0).U16(1).U16(6).Bytes([2, 0, 0, 0, 0, 1, 0, 0])
            .U16(protocol).Bytes(payload).ToArray();

    /// <summary>Linux cooked capture v2: protocol, reserved, interface index, ARPHRD, packet type, address length, 8 address bytes.</summary>
    public static byte[] LinuxSll2(int protocol, byte[] payload) =>
        new ByteBuilder(bigEndian: true)
            .U16(protocol).U16(0).U32(3).U16(1).U8(4).U8(6).Bytes([2, 0, 0, 0, 0, 1, 0, 0])
            .Bytes(payload).ToArray();

    /// <summary>BSD loopback (LINKTYPE_NULL): the family in the capturing host's byte order.</summary>
    public static byte[] Null(uint family, bool bigEndianHost, byte[] payload) =>
        new ByteBuilder(bigEndianHost).U32(family).Bytes(payload).ToArray();

    /// <summary>OpenBSD loopback (LINKTYPE_LOOP): the family in network byte order.</summary>
    public static byte[] Loop(uint family, byte[] payload) =>
        new ByteBuilder(bigEndian: true).U32(family).Bytes(payload).ToArray();
}
