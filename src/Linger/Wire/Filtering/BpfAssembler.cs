namespace Linger.Wire.Filtering;

/// <summary>
/// Collects instructions whose jumps name labels, then lays them out. Classic BPF conditional jumps reach at most
/// 255 instructions ahead; a farther target gets an unconditional <c>ja</c> (32-bit reach) placed right after the
/// jump, repeated until every jump fits.
/// </summary>
internal sealed class BpfAssembler
{
    private const int NoLabel = -1;

    private readonly List<Pending> code = [];
    private readonly List<int> labels = [];

    /// <summary>A new label, to be placed later with <see cref="Mark"/>.</summary>
    public int NewLabel()
    {
        labels.Add(NoLabel);
        return labels.Count - 1;
    }

    /// <summary>Places <paramref name="label"/> at the next instruction to be emitted.</summary>
    public void Mark(int label) => labels[label] = code.Count;

    /// <summary>A label placed at the next instruction: the "fall through" target of a jump.</summary>
    public int Here()
    {
        var label = NewLabel();
        Mark(label);
        return label;
    }

    /// <summary>Emits a non-jump instruction.</summary>
    public void Emit(ushort opcode, uint k) => code.Add(new Pending(opcode, k, NoLabel, NoLabel));

    /// <summary>Emits a conditional jump comparing A with <paramref name="k"/>.</summary>
    public void JumpIf(ushort operation, uint k, int whenTrue, int whenFalse) =>
        code.Add(new Pending((ushort)(BpfOpcodes.Jmp | operation | BpfOpcodes.K), k, whenTrue, whenFalse));

    /// <summary>Emits an unconditional jump.</summary>
    public void Jump(int target) => code.Add(new Pending(BpfOpcodes.Jmp | BpfOpcodes.Ja, 0, target, NoLabel));

    public BpfInstruction[] Assemble()
    {
        while (FixOneFarJump())
        {
        }

        var result = new BpfInstruction[code.Count];
        for (var i = 0; i < code.Count; i++)
        {
            var p = code[i];
            if ((p.Code & 0x07) != BpfOpcodes.Jmp)
            {
                result[i] = new BpfInstruction(p.Code, 0, 0, p.K);
            }
            else if ((p.Code & 0xf0) == BpfOpcodes.Ja)
            {
                result[i] = new BpfInstruction(p.Code, 0, 0, (uint)Distance(i, p.WhenTrue));
            }
            else
            {
                result[i] = new BpfInstruction(p.Code, (byte)Distance(i, p.WhenTrue), (byte)Distance(i, p.WhenFalse), p.K);
            }
        }

        return result;
    }

    private int Distance(int from, int label)
    {
        var target = labels[label];
        if (target == NoLabel || target <= from)
        {
            throw new InvalidOperationException($"BPF label {label} is unplaced or behind instruction {from}");
        }

        return target - from - 1;
    }

    private bool FixOneFarJump()
    {
        for (var i = 0; i < code.Count; i++)
        {
            var p = code[i];
            if (!BpfOpcodes.IsConditionalJump(p.Code))
            {
                continue;
            }

            if (Distance(i, p.WhenTrue) > byte.MaxValue)
            {
                code[i] = p with { WhenTrue = InsertTrampoline(i, p.WhenTrue) };
                return true;
            }

            if (Distance(i, p.WhenFalse) > byte.MaxValue)
            {
                code[i] = p with { WhenFalse = InsertTrampoline(i, p.WhenFalse) };
                return true;
            }
        }

        return false;
    }

    private int InsertTrampoline(int jump, int farLabel)
    {
        // Everything placed after the jump moves down by one; the trampoline is reachable only from the jump.
        for (var l = 0; l < labels.Count; l++)
        {
            if (labels[l] > jump)
            {
                labels[l]++;
            }
        }

        code.Insert(jump + 1, new Pending(BpfOpcodes.Jmp | BpfOpcodes.Ja, 0, farLabel, NoLabel));
        labels.Add(jump + 1);
        return labels.Count - 1;
    }

    private readonly record struct Pending(ushort Code, uint K, int WhenTrue, int WhenFalse);
}
