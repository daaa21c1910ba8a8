using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Linger.Wire.Live;

/// <summary>A <c>struct sockaddr_ll</c> for binding an AF_PACKET socket to one interface (index 0: all of them).</summary>
internal sealed class PacketEndPoint(int interfaceIndex, ushort protocol) : EndPoint
{
    public int InterfaceIndex { get; } = interfaceIndex;

    public override AddressFamily AddressFamily => AddressFamily.Packet;

    public override SocketAddress Serialize()
    {
        // The SocketAddress constructor writes sll_family; the rest is ours.
        var address = new SocketAddress(AddressFamily.Packet, LinuxPacket.SockaddrLlLength);
        var bytes = address.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[LinuxPacket.SllProtocol..], protocol);
        var index = InterfaceIndex;
        MemoryMarshal.Write(bytes[LinuxPacket.SllInterfaceIndex..], in index);
        return address;
    }

    public override EndPoint Create(SocketAddress socketAddress) => this;
}
