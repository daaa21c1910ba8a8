using System.Buffers.Binary;
using Linger.Wire;

namespace Linger.Tests.WireLive;

/// <summary>
/// A live-captured frame read by the tests' own decoder, written from the LINUX_SLL2 definition
/// (tcpdump.org linktypes/LINKTYPE_LINUX_SLL2): protocol, reserved, interface index, ARPHRD type, packet type,
/// address length, address; then the IP packet.
/// </summary>
internal readonly record struct CapturedSegment(
    ushort Protocol, int InterfaceIndex, ushort HardwareType, byte PacketType,
    ushort SourcePort, ushort DestinationPort, TcpFlags Flags, long TimestampNs, int CapturedLength, int OriginalLength)
{
    public static CapturedSegment Decode(in Frame frame)
    {
        Assert.Equal(LinkType.LinuxSll2, frame.LinkType);
        var data = frame.Data;
        var protocol = BinaryPrimitives.ReadUInt16BigEndian(data);
        var ip = data[20..];
        int tcp;
        if (protocol == 0x0800)
        {
            Assert.Equal(4, ip[0] >> 4);
            Assert.Equal(6, ip[9]);
            tcp = 4 * (ip[0] & 0xf);
        }
        else
        {
            Assert.Equal(0x86dd, protocol);
            Assert.Equal(6, ip[0] >> 4);
            Assert.Equal(6, ip[6]);
            tcp = 40;
        }

        return new CapturedSegment(
            protocol,
            BinaryPrimitives.ReadInt32BigEndian(data[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[8..]),
            data[10],
            BinaryPrimitives.ReadUInt16BigEndian(ip[tcp..]),
            BinaryPrimitives.ReadUInt16BigEndian(ip[(tcp + 2)..]),
            (TcpFlags)ip[tcp + 13],
            frame.TimestampNs,
            data.Length,
            frame.OriginalLength);
    }

    public bool IsClientSyn => (Flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn;

    public bool IsFin => (Flags & TcpFlags.Fin) != 0;

    public bool Involves(int port) => SourcePort == port || DestinationPort == port;
}
