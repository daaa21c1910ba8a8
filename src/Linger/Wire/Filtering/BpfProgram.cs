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
        var (mnemonic, operand) = (code & 0x07) switch
        {
            BpfOpcodes.Ld => (code & 0xe0) switch
            {
                BpfOpcodes.Abs when k >= BpfOpcodes.AncillaryBase => ("ld" + size, $"[{AncillaryName(k)}]"),
                BpfOpcodes.Abs => ("ld" + size, $"[{k}]"),
                BpfOpcodes.Ind => ("ld" + size, $"[x + {k}]"),
                BpfOpcodes.Len => ("ld", "#pktlen"),
                BpfOpcodes.Mem => ("ld", $"M[{k}]"),
                _ => ("ld", $"#0x{k:x}"),
            },
            BpfOpcodes.Ldx => (code & 0xe0) == BpfOpcodes.Msh ? ("ldxb", $"4*([{k}]&0xf)") : ("ldx", $"#0x{k:x}"),
            BpfOpcodes.Ret => ("ret", (code & 0x18) == BpfOpcodes.RetA ? "a" : $"#{k}"),
            BpfOpcodes.Alu => ((code & 0xf0) switch
            {
                BpfOpcodes.Add => "add",
                BpfOpcodes.Sub => "sub",
                BpfOpcodes.Mul => "mul",
                BpfOpcodes.Div => "div",
                BpfOpcodes.Or => "or",
                BpfOpcodes.And => "and",
                BpfOpcodes.Lsh => "lsh",
                BpfOpcodes.Rsh => "rsh",
                BpfOpcodes.Neg => "neg",
                BpfOpcodes.Mod => "mod",
                _ => "xor",
            }, $"#0x{k:x}"),
            BpfOpcodes.Jmp when (code & 0xf0) == BpfOpcodes.Ja => ("ja", $"{index + 1 + k}"),
            BpfOpcodes.Jmp => ((code & 0xf0) switch
            {
                BpfOpcodes.Jeq => "jeq",
                BpfOpcodes.Jgt => "jgt",
                BpfOpcodes.Jge => "jge",
                _ => "jset",
            }, $"{"#0x" + k.ToString("x", CultureInfo.InvariantCulture),-16} jt {index + 1 + instruction.JumpIfTrue}\tjf {index + 1 + instruction.JumpIfFalse}"),
            _ => ($"0x{code:x4}", $"#0x{k:x}"),
        };

        return $"{mnemonic,-8} {operand}";
    }

    private static string AncillaryName(uint k) => k switch
    {
        BpfOpcodes.AncillaryProtocol => "proto",
        BpfOpcodes.AncillaryPacketType => "type",
        BpfOpcodes.AncillaryInterfaceIndex => "ifidx",
        _ => $"ancillary+{k - BpfOpcodes.AncillaryBase}",
    };
}
