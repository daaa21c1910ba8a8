namespace Linger.Wire.Filtering;

/// <summary>Classic BPF opcode bits (linux/bpf_common.h, linux/filter.h).</summary>
internal static class BpfOpcodes
{
    // Classes.
    public const ushort Ld = 0x00;
    public const ushort Ldx = 0x01;
    public const ushort St = 0x02;
    public const ushort Stx = 0x03;
    public const ushort Alu = 0x04;
    public const ushort Jmp = 0x05;
    public const ushort Ret = 0x06;
    public const ushort Misc = 0x07;

    // Load sizes.
    public const ushort W = 0x00;
    public const ushort H = 0x08;
    public const ushort B = 0x10;

    // Load modes.
    public const ushort Imm = 0x00;
    public const ushort Abs = 0x20;
    public const ushort Ind = 0x40;
    public const ushort Mem = 0x60;
    public const ushort Len = 0x80;
    public const ushort Msh = 0xa0;

    // ALU operations.
    public const ushort Add = 0x00;
    public const ushort Sub = 0x10;
    public const ushort Mul = 0x20;
    public const ushort Div = 0x30;
    public const ushort Or = 0x40;
    public const ushort And = 0x50;
    public const ushort Lsh = 0x60;
    public const ushort Rsh = 0x70;
    public const ushort Neg = 0x80;
    public const ushort Mod = 0x90;
    public const ushort Xor = 0xa0;

    // Jumps.
    public const ushort Ja = 0x00;
    public const ushort Jeq = 0x10;
    public const ushort Jgt = 0x20;
    public const ushort Jge = 0x30;
    public const ushort Jset = 0x40;

    // Operand source.
    public const ushort K = 0x00;
    public const ushort X = 0x08;

    // Return value source.
    public const ushort RetA = 0x10;

    // Misc operations.
    public const ushort Tax = 0x00;
    public const ushort Txa = 0x80;

    /// <summary>Linux's ancillary-data base, SKF_AD_OFF = -0x1000, as the unsigned k of a load.</summary>
    public const uint AncillaryBase = 0xFFFFF000;

    /// <summary>SKF_AD_PROTOCOL: the packet's ethertype (skb->protocol), in host order.</summary>
    public const uint AncillaryProtocol = AncillaryBase + 0;

    /// <summary>SKF_AD_PKTTYPE: PACKET_HOST, PACKET_OUTGOING, ...</summary>
    public const uint AncillaryPacketType = AncillaryBase + 4;

    /// <summary>SKF_AD_IFINDEX: the index of the interface the packet was seen on.</summary>
    public const uint AncillaryInterfaceIndex = AncillaryBase + 8;

    /// <summary>BPF_MAXINSNS: the longest program the kernel accepts.</summary>
    public const int MaxInstructions = 4096;

    public static bool IsConditionalJump(ushort code) => (code & 0x07) == Jmp && (code & 0xf0) != Ja;
}
