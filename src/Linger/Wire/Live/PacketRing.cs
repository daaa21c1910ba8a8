using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Linger.Wire.Live;

/// <summary>
/// Walks a TPACKET_V3 receive ring: the kernel fills fixed-size blocks in order and hands each to user space by
/// setting TP_STATUS_USER in its header; we read its packets and give it back with TP_STATUS_KERNEL. A block is
/// returned only when the reader asks for the frame after its last one, so the frame handed out stays valid until
/// the next read.
/// </summary>
/// <remarks>
/// Each packet becomes a LINUX_SLL2 frame: the socket is SOCK_DGRAM, so the ring holds the packet from its
/// network header, and the 20-byte SLL2 header (protocol, interface index, ARPHRD type, packet type, link-layer
/// address) is built from the ring's sockaddr_ll in the gap the kernel leaves before the packet.
/// </remarks>
internal sealed class PacketRing : IDisposable
{
    private const int Sll2HeaderLength = 20;

    private readonly RingMapping mapping;
    private readonly int blockSize;
    private readonly int blockCount;
    private readonly byte[] scratch;

    private int block;
    private bool holdingBlock;
    private int packetsLeft;
    private long nextPacket;

    public PacketRing(RingMapping mapping, int blockSize, int blockCount, int snapLength)
    {
        this.mapping = mapping;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        scratch = new byte[Sll2HeaderLength + Math.Min(snapLength, blockSize)];
    }

    /// <summary>The next packet already in the ring, as a frame; false when the kernel has handed over nothing new.</summary>
    public bool TryNext(out Frame frame)
    {
        while (true)
        {
            if (holdingBlock && packetsLeft == 0)
            {
                mapping.WriteShared(BlockStart + LinuxPacket.BlockStatusOffset, LinuxPacket.TpStatusKernel);
                holdingBlock = false;
                block = (block + 1) % blockCount;
            }

            if (!holdingBlock)
            {
                var status = mapping.ReadShared(BlockStart + LinuxPacket.BlockStatusOffset);
                if ((status & LinuxPacket.TpStatusUser) == 0)
                {
                    frame = default;
                    return false;
                }

                var header = mapping.Bytes(BlockStart, 20);
                holdingBlock = true;
                packetsLeft = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[LinuxPacket.BlockPacketCountOffset..]);
                nextPacket = BlockStart + BinaryPrimitives.ReadUInt32LittleEndian(header[LinuxPacket.BlockFirstPacketOffset..]);
                continue;
            }

            frame = ReadPacket();
            return true;
        }
    }

    public void Dispose() => mapping.Dispose();

    private long BlockStart => (long)block * blockSize;

    private Frame ReadPacket()
    {
        var at = nextPacket;
        CheckInBlock(at, LinuxPacket.Tpacket3HeaderLength + LinuxPacket.SockaddrLlLength);
        var header = mapping.Bytes(at, LinuxPacket.Tpacket3HeaderLength + LinuxPacket.SockaddrLlLength);

        // The ring is in this machine's byte order.
        var nextOffset = MemoryMarshal.Read<uint>(header[LinuxPacket.PacketNextOffset..]);
        var seconds = MemoryMarshal.Read<uint>(header[LinuxPacket.PacketSeconds..]);
        var nanoseconds = MemoryMarshal.Read<uint>(header[LinuxPacket.PacketNanoseconds..]);
        var snapLength = (int)MemoryMarshal.Read<uint>(header[LinuxPacket.PacketSnapLength..]);
        var wireLength = (int)MemoryMarshal.Read<uint>(header[LinuxPacket.PacketLength..]);
        var mac = MemoryMarshal.Read<ushort>(header[LinuxPacket.PacketMacOffset..]);

        var address = header[LinuxPacket.SockaddrLlOffset..];
        Span<byte> sll2 = stackalloc byte[Sll2HeaderLength];
        address.Slice(LinuxPacket.SllProtocol, 2).CopyTo(sll2);
        BinaryPrimitives.WriteInt32BigEndian(sll2[4..], MemoryMarshal.Read<int>(address[LinuxPacket.SllInterfaceIndex..]));
        BinaryPrimitives.WriteUInt16BigEndian(sll2[8..], MemoryMarshal.Read<ushort>(address[LinuxPacket.SllHardwareType..]));
        sll2[10] = address[LinuxPacket.SllPacketType];
        sll2[11] = address[LinuxPacket.SllAddressLength];
        address.Slice(LinuxPacket.SllAddress, 8).CopyTo(sll2[12..]);

        CheckInBlock(at + mac, snapLength);
        Span<byte> data;
        if (mac >= LinuxPacket.SockaddrLlOffset + LinuxPacket.SockaddrLlLength + Sll2HeaderLength)
        {
            // The gap between sockaddr_ll and the packet is ours while we hold the block: no copy.
            data = mapping.Bytes(at + mac - Sll2HeaderLength, Sll2HeaderLength + snapLength);
            sll2.CopyTo(data);
        }
        else
        {
            data = scratch.AsSpan(0, Sll2HeaderLength + Math.Min(snapLength, scratch.Length - Sll2HeaderLength));
            sll2.CopyTo(data);
            mapping.Bytes(at + mac, data.Length - Sll2HeaderLength).CopyTo(data[Sll2HeaderLength..]);
        }

        packetsLeft--;
        nextPacket = at + nextOffset;
        var timestamp = (seconds * 1_000_000_000L) + nanoseconds;
        return new Frame(LinkType.LinuxSll2, timestamp, Sll2HeaderLength + wireLength, data, interfaceId: 0, fileOffset: -1);
    }

    private void CheckInBlock(long offset, int length)
    {
        if (offset < BlockStart || offset + length > BlockStart + blockSize)
        {
            throw new InvalidOperationException(
                $"the kernel's capture ring block {block} describes a packet outside the block ({length} bytes at {offset - BlockStart}); "
                + "this is a bug in Linger's ring reader");
        }
    }
}
