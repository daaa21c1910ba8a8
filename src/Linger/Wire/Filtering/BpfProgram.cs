using System.Globalization;
using System.Text;

namespace Linger.Wire.Filtering;

/// <summary>A compiled classic BPF program: the <c>sock_filter</c> array for <c>SO_ATTACH_FILTER</c>.</summary>
public sealed class BpfProgram
{
    private readonly BpfInstruction[] instructions;

    internal BpfProgram(BpfInstruction[] instructions, FilterExpression filter, BpfTarget target)
    {
        this.instructions = instructions;
        Filter = filter;
        Target = target;
    }

    /// <summary>The instructions, in order.</summary>
    public ReadOnlySpan<BpfInstruction> Instructions => instructions;

    /// <summary>The number of instructions.</summary>
    public int Length => instructions.Length;

    /// <summary>The filter this program was compiled from.</summary>
    public FilterExpression Filter { get; }

    /// <summary>The layout it was compiled for.</summary>
    public BpfTarget Target { get; }

    /// <summary>A listing in the style of <c>tcpdump -d</c>, one instruction per line, for debugging filters.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        for (var i = 0; i < instructions.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"({i:000}) ").AppendLine(Describe(instructions[i], i));
        }

        return text.ToString();
    }

    private static string Describe(BpfInstruction instruction, int index)
    {
        var code = instruction.Code;
        var k = instruction.K;
        var size = (code & 0x18) switch { BpfOpcodes.H => "h", BpfOpcodes.B => "b", _ => string.Empty };
        switch (code & 0x07)
        {
            case BpfOpcodes.Ld:
                return (code & 0xe0) switch
                {
                    BpfOpcodes.Abs when k >= BpfOpcodes.AncillaryBase => $"ld{size}      [{AncillaryName(k)}]",
                    BpfOpcodes.Abs => $"ld{size}      [{k}]",
                    BpfOpcodes.Ind => $"ld{size}      [x + {k}]",
                    BpfOpcodes.Imm => $"ld       #0x{k:x}",
                    BpfOpcodes.Len => "ld       #pktlen",
                    _ => $"ld       M[{k}]",
                };
            case BpfOpcodes.Ldx:
                return (code & 0xe0) == BpfOpcodes.Msh ? $"ldxb     4*([{k}]&0xf)" : $"ldx      #0x{k:x}";
            case BpfOpcodes.Ret:
                return (code & 0x18) == BpfOpcodes.RetA ? "ret      a" : $"ret      #{k}";
            case BpfOpcodes.Alu:
                return $"alu 0x{code:x2}  #0x{k:x}";
            case BpfOpcodes.Jmp:
                if ((code & 0xf0) == BpfOpcodes.Ja)
                {
                    return $"ja       {index + 1 + k}";
                }

                var op = (code & 0xf0) switch { BpfOpcodes.Jeq => "jeq", BpfOpcodes.Jgt => "jgt", BpfOpcodes.Jge => "jge", _ => "jset" };
                return $"{op,-8} #0x{k:x,-14} jt {index + 1 + instruction.JumpIfTrue}\tjf {index + 1 + instruction.JumpIfFalse}";
            default:
                return $"code 0x{code:x4} k 0x{k:x}";
        }
    }

    private static string AncillaryName(uint k) => k switch
    {
        BpfOpcodes.AncillaryProtocol => "proto",
        BpfOpcodes.AncillaryPacketType => "type",
        BpfOpcodes.AncillaryInterfaceIndex => "ifidx",
        _ => $"ancillary+{k - BpfOpcodes.AncillaryBase}",
    };
}
