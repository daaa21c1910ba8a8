using System.Runtime.InteropServices;
using Linger.Wire.Filtering;

namespace Linger.Tests.WireLive;

/// <summary>Properties of compiled programs beyond their meaning (which FilterSemanticsTests checks against tcpdump).</summary>
public sealed class BpfCompilerTests
{
    private static readonly SyntheticPacket Segment = SyntheticPacket.Tcp4("127.0.0.1", "127.0.0.1", 40000, 8080, 1);

    [Fact]
    public void Instructions_have_the_layout_of_struct_sock_filter()
    {
        Assert.Equal(8, Marshal.SizeOf<BpfInstruction>());
        Assert.Equal(0, Marshal.OffsetOf<BpfInstruction>("<Code>k__BackingField").ToInt32());
        Assert.Equal(2, Marshal.OffsetOf<BpfInstruction>("<JumpIfTrue>k__BackingField").ToInt32());
        Assert.Equal(3, Marshal.OffsetOf<BpfInstruction>("<JumpIfFalse>k__BackingField").ToInt32());
        Assert.Equal(4, Marshal.OffsetOf<BpfInstruction>("<K>k__BackingField").ToInt32());
    }

    [Fact]
    public void An_accepted_packet_keeps_the_snap_length()
    {
        var program = BpfCompiler.Compile(FilterExpression.Parse("port 8080"), BpfTarget.PacketSocket with { SnapLength = 96 });

        Assert.Equal(96u, Run(program, Segment, packetType: 0, interfaceIndex: 1));
    }

    [Fact]
    public void Outgoing_copies_on_the_loopback_interface_are_dropped_and_nothing_else()
    {
        const byte Host = 0, Outgoing = 4;
        var program = BpfCompiler.Compile(FilterExpression.Parse("port 8080"), BpfTarget.PacketSocket with { DropOutgoingOnInterface = 1 });

        Assert.Equal(0u, Run(program, Segment, Outgoing, interfaceIndex: 1));
        Assert.NotEqual(0u, Run(program, Segment, Host, interfaceIndex: 1));
        Assert.NotEqual(0u, Run(program, Segment, Outgoing, interfaceIndex: 2));
    }

    [Fact]
    public void Without_a_loopback_index_outgoing_packets_are_kept()
    {
        var program = BpfCompiler.Compile(FilterExpression.Parse("port 8080"), BpfTarget.PacketSocket);

        Assert.NotEqual(0u, Run(program, Segment, packetType: 4, interfaceIndex: 1));
    }

    [Fact]
    public void A_filter_beyond_the_kernel_limit_of_4096_instructions_is_refused_with_advice()
    {
        var hosts = string.Join(" or ", Enumerable.Range(1, 400).Select(i => $"host 2001:db8::{i:x}"));

        var error = Assert.Throws<ArgumentException>(() => BpfCompiler.Compile(FilterExpression.Parse(hosts), BpfTarget.PacketSocket));

        Assert.Contains("more than the kernel's limit of 4096", error.Message, StringComparison.Ordinal);
        Assert.Contains("a 'net' instead of many 'host's", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_program_ends_in_returns_and_jumps_only_forward_within_it()
    {
        foreach (var expression in FilterSemanticsTests.ExpressionList)
        {
            var instructions = BpfCompiler.Compile(FilterExpression.Parse(expression), BpfTarget.PacketSocket).Instructions.ToArray();
            Assert.Equal(0x06, instructions[^1].Code & 0x07);
            for (var i = 0; i < instructions.Length; i++)
            {
                var ins = instructions[i];
                if ((ins.Code & 0x07) == 0x05)
                {
                    var far = (ins.Code & 0xf0) == 0 ? ins.K : Math.Max(ins.JumpIfTrue, ins.JumpIfFalse);
                    Assert.True(i + 1 + far < instructions.Length, $"'{expression}': instruction {i} jumps out of the program");
                }
            }
        }
    }

    private static uint Run(BpfProgram program, SyntheticPacket packet, byte packetType, int interfaceIndex) =>
        ClassicBpfInterpreter.Run(
            program.Instructions, packet.Network, new ClassicBpfInterpreter.Ancillary(packet.Ethertype, packetType, interfaceIndex));
}
