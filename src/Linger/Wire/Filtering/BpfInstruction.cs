using System.Runtime.InteropServices;

namespace Linger.Wire.Filtering;

/// <summary>
/// One classic BPF instruction, laid out exactly as Linux's <c>struct sock_filter</c> (code, jt, jf, k: 8 bytes), so
/// an array of them can be handed to <c>SO_ATTACH_FILTER</c> as is.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct BpfInstruction
{
    /// <summary>Creates an instruction.</summary>
    public BpfInstruction(ushort code, byte jumpIfTrue, byte jumpIfFalse, uint k)
    {
        Code = code;
        JumpIfTrue = jumpIfTrue;
        JumpIfFalse = jumpIfFalse;
        K = k;
    }

    /// <summary>The opcode: class, size, mode or operation, and source bits (linux/bpf_common.h).</summary>
    public ushort Code { get; }

    /// <summary>For conditional jumps: instructions to skip when the condition holds.</summary>
    public byte JumpIfTrue { get; }

    /// <summary>For conditional jumps: instructions to skip when it does not.</summary>
    public byte JumpIfFalse { get; }

    /// <summary>The constant operand: an offset, immediate, jump distance or return value.</summary>
    public uint K { get; }
}
