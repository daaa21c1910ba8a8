using System.Buffers.Binary;
using Linger.Wire.Filtering;

namespace Linger.Tests.WireLive;

/// <summary>
/// What the Linux kernel does with a classic BPF program on an AF_PACKET socket, written independently of the
/// compiler from the classic BPF definition (linux/filter.h, Documentation/networking/filter.rst): A and X
/// registers, 16 scratch words, loads from the packet (out of bounds ends the program with 0, i.e. drop) and the
/// SKF_AD_OFF ancillary loads for the protocol, packet type and interface index.
/// </summary>
internal static class ClassicBpfInterpreter
{
    /// <summary>What the kernel knows about a packet beyond its bytes.</summary>
    public readonly record struct Ancillary(ushort Protocol, byte PacketType, int InterfaceIndex);

    /// <summary>Runs the program; returns the number of bytes to keep (0: drop).</summary>
    public static uint Run(ReadOnlySpan<BpfInstruction> program, ReadOnlySpan<byte> packet, Ancillary ancillary)
    {
        uint a = 0, x = 0;
        Span<uint> memory = stackalloc uint[16];
        var pc = 0;
        for (var steps = 0; steps < 10_000; steps++)
        {
            if (pc < 0 || pc >= program.Length)
            {
                throw new InvalidOperationException($"BPF ran off the program at {pc}");
            }

            var ins = program[pc];
            var code = ins.Code;
            var k = ins.K;
            pc++;
            switch (code & 0x07)
            {
                case 0x00: // LD
                    {
                        var mode = code & 0xe0;
                        var size = code & 0x18;
                        switch (mode)
                        {
                            case 0x00: a = k; break;
                            case 0x80: a = (uint)packet.Length; break;
                            case 0x60: a = memory[(int)k]; break;
                            case 0x20 or 0x40:
                                {
                                    long offset = mode == 0x20 ? (int)k : (long)x + k;
                                    if (mode == 0x20 && (int)k < 0)
                                    {
                                        if (size != 0x00)
                                        {
                                            throw new InvalidOperationException("ancillary loads are word loads");
                                        }

                                        a = (int)k switch
                                        {
                                            -0x1000 => ancillary.Protocol,
                                            -0x1000 + 4 => ancillary.PacketType,
                                            -0x1000 + 8 => (uint)ancillary.InterfaceIndex,
                                            _ => throw new InvalidOperationException($"unknown ancillary load {(int)k}"),
                                        };
                                        break;
                                    }

                                    var width = size switch { 0x00 => 4, 0x08 => 2, _ => 1 };
                                    if (offset < 0 || offset + width > packet.Length)
                                    {
                                        return 0;
                                    }

                                    var at = packet.Slice((int)offset, width);
                                    a = width switch
                                    {
                                        4 => BinaryPrimitives.ReadUInt32BigEndian(at),
                                        2 => BinaryPrimitives.ReadUInt16BigEndian(at),
                                        _ => at[0],
                                    };
                                    break;
                                }

                            default: throw new InvalidOperationException($"bad LD mode 0x{code:x}");
                        }

                        break;
                    }

                case 0x01: // LDX
                    switch (code & 0xe0)
                    {
                        case 0x00: x = k; break;
                        case 0x80: x = (uint)packet.Length; break;
                        case 0x60: x = memory[(int)k]; break;
                        case 0xa0:
                            if (k >= packet.Length)
                            {
                                return 0;
                            }

                            x = (uint)(4 * (packet[(int)k] & 0xf));
                            break;
                        default: throw new InvalidOperationException($"bad LDX mode 0x{code:x}");
                    }

                    break;
                case 0x02: memory[(int)k] = a; break;
                case 0x03: memory[(int)k] = x; break;
                case 0x04: // ALU
                    {
                        var operand = (code & 0x08) != 0 ? x : k;
                        a = (code & 0xf0) switch
                        {
                            0x00 => a + operand,
                            0x10 => a - operand,
                            0x20 => a * operand,
                            0x30 => operand == 0 ? 0 : a / operand,
                            0x40 => a | operand,
                            0x50 => a & operand,
                            0x60 => operand >= 32 ? 0 : a << (int)operand,
                            0x70 => operand >= 32 ? 0 : a >> (int)operand,
                            0x80 => (uint)-(int)a,
                            0x90 => operand == 0 ? 0 : a % operand,
                            0xa0 => a ^ operand,
                            _ => throw new InvalidOperationException($"bad ALU op 0x{code:x}"),
                        };
                        if ((code & 0xf0) is 0x30 or 0x90 && operand == 0)
                        {
                            return 0;
                        }

                        break;
                    }

                case 0x05: // JMP
                    {
                        var op = code & 0xf0;
                        if (op == 0x00)
                        {
                            pc += (int)k;
                            break;
                        }

                        var operand = (code & 0x08) != 0 ? x : k;
                        var taken = op switch
                        {
                            0x10 => a == operand,
                            0x20 => a > operand,
                            0x30 => a >= operand,
                            0x40 => (a & operand) != 0,
                            _ => throw new InvalidOperationException($"bad JMP op 0x{code:x}"),
                        };
                        pc += taken ? ins.JumpIfTrue : ins.JumpIfFalse;
                        break;
                    }

                case 0x06: // RET
                    return (code & 0x18) == 0x10 ? a : k;
                case 0x07: // MISC
                    if ((code & 0xf8) == 0x00)
                    {
                        x = a;
                    }
                    else
                    {
                        a = x;
                    }

                    break;
            }
        }

        throw new InvalidOperationException("BPF program did not finish in 10000 steps");
    }
}
