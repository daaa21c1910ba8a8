using System.Runtime.InteropServices;

namespace Linger.Wire.Live;

/// <summary>
/// Linux AF_PACKET constants and layouts (linux/if_packet.h, linux/if_ether.h, asm-generic/socket.h) and the two
/// libc calls .NET's Socket does not offer. The layouts are the same on every 64-bit Linux architecture; the one
/// pointer (in sock_fprog) follows <see cref="IntPtr.Size"/>.
/// </summary>
internal static class LinuxPacket
{
    public const int SolSocket = 1;
    public const int SoAttachFilter = 26;
    public const int SoError = 4;

    public const int SolPacket = 263;
    public const int PacketAddMembership = 1;
    public const int PacketRxRing = 5;
    public const int PacketStatistics = 6;
    public const int PacketVersion = 10;
    public const int TpacketV3 = 2;
    public const int PacketMrPromisc = 1;

    /// <summary>ETH_P_ALL: every protocol (sockaddr_ll.sll_protocol holds it in network byte order).</summary>
    public const ushort EthPAll = 0x0003;

    public const uint TpStatusKernel = 0;
    public const uint TpStatusUser = 1;

    // struct tpacket_block_desc { u32 version; u32 offset_to_priv; struct tpacket_hdr_v1 { u32 block_status; u32 num_pkts; u32 offset_to_first_pkt; ... } }
    public const int BlockStatusOffset = 8;
    public const int BlockPacketCountOffset = 12;
    public const int BlockFirstPacketOffset = 16;

    // struct tpacket3_hdr { u32 tp_next_offset, tp_sec, tp_nsec, tp_snaplen, tp_len, tp_status; u16 tp_mac, tp_net; ... } = 48 bytes
    public const int PacketNextOffset = 0;
    public const int PacketSeconds = 4;
    public const int PacketNanoseconds = 8;
    public const int PacketSnapLength = 12;
    public const int PacketLength = 16;
    public const int PacketMacOffset = 24;
    public const int Tpacket3HeaderLength = 48;

    // struct sockaddr_ll, right after the (16-byte aligned) tpacket3_hdr.
    public const int SockaddrLlOffset = 48;
    public const int SockaddrLlLength = 20;
    public const int SllProtocol = 2;
    public const int SllInterfaceIndex = 4;
    public const int SllHardwareType = 8;
    public const int SllPacketType = 10;
    public const int SllAddressLength = 11;
    public const int SllAddress = 12;

    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 1;

    [DllImport("libc", SetLastError = true, EntryPoint = "mmap")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern IntPtr Mmap(IntPtr address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", SetLastError = true, EntryPoint = "munmap")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Munmap(IntPtr address, nuint length);
}
