using static Linger.Wire.Filtering.BpfOpcodes;

namespace Linger.Wire.Filtering;

/// <summary>
/// Compiles a <see cref="FilterExpression"/> to classic BPF for the Linux kernel. The program keeps TCP segments that
/// match the expression (Linger analyses TCP only, so anything else would be dropped later anyway) and drops the rest.
/// </summary>
/// <remarks>
/// Per primitive, for the network-header layout of <see cref="BpfTarget"/>:
/// <list type="bullet">
/// <item><c>ip</c>/<c>ip6</c>: the ethertype from the ancillary protocol load is 0x0800/0x86dd.</item>
/// <item><c>tcp</c>: IPv4 protocol 6; or IPv6 next header 6, or a fragment header (44) directly followed by 6 — as
/// tcpdump does.</item>
/// <item><c>host</c>/<c>net</c>: address words at 12/16 (IPv4) or 8/24 (IPv6), masked for a prefix.</item>
/// <item><c>port</c>/<c>portrange</c>: IPv4 segments with a zero fragment offset, the header length taken with
/// <c>ldx 4*([0]&amp;0xf)</c>; IPv6 segments whose next header is TCP, ports at 40/42. Extension headers are not
/// walked, exactly like tcpdump's compiled filters.</item>
/// </list>
/// </remarks>
public static class BpfCompiler
{
    private const uint EthertypeIPv4 = 0x0800;
    private const uint EthertypeIPv6 = 0x86dd;
    private const uint ProtocolTcp = 6;
    private const uint Ipv6FragmentHeader = 44;
    private const uint PacketOutgoing = 4;

    /// <summary>Compiles <paramref name="filter"/> for <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The program would be longer than the kernel's 4096 instructions; the message says how long and what to do.
    /// </exception>
    public static BpfProgram Compile(FilterExpression filter, BpfTarget target)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(target);
        if (target.SnapLength <= 0)
        {
            throw new ArgumentException($"the snap length must be positive, not {target.SnapLength}", nameof(target));
        }

        var asm = new BpfAssembler();
        var accept = asm.NewLabel();
        var reject = asm.NewLabel();

        if (target.DropOutgoingOnInterface > 0)
        {
            var start = asm.NewLabel();
            var outgoing = asm.NewLabel();
            asm.Emit(Ld | W | Abs, AncillaryPacketType);
            asm.JumpIf(Jeq, PacketOutgoing, outgoing, start);
            asm.Mark(outgoing);
            asm.Emit(Ld | W | Abs, AncillaryInterfaceIndex);
            asm.JumpIf(Jeq, (uint)target.DropOutgoingOnInterface, reject, start);
            asm.Mark(start);
        }

        var body = new AndNode(new ProtocolNode(FilterProtocol.Tcp), filter.Root);
        new Generator(asm).Node(filter.MatchesEverything ? new ProtocolNode(FilterProtocol.Tcp) : body, accept, reject);

        asm.Mark(accept);
        asm.Emit(Ret | K, (uint)target.SnapLength);
        asm.Mark(reject);
        asm.Emit(Ret | K, 0);

        var instructions = asm.Assemble();
        if (instructions.Length > MaxInstructions)
        {
            throw new ArgumentException(
                $"the filter compiles to {instructions.Length} BPF instructions, more than the kernel's limit of {MaxInstructions}; "
                + "use fewer primitives (a 'net' instead of many 'host's, a 'portrange' instead of many 'port's)",
                nameof(filter));
        }

        return new BpfProgram(instructions, filter, target);
    }

    /// <summary>Emits code for a node that jumps to one label when the node matches and to another when it does not.</summary>
    private sealed class Generator(BpfAssembler asm)
    {
        public void Node(FilterNode node, int whenTrue, int whenFalse)
        {
            switch (node)
            {
                case AndNode and:
                    {
                        var right = asm.NewLabel();
                        Node(and.Left, right, whenFalse);
                        asm.Mark(right);
                        Node(and.Right, whenTrue, whenFalse);
                        break;
                    }

                case OrNode or:
                    {
                        var right = asm.NewLabel();
                        Node(or.Left, whenTrue, right);
                        asm.Mark(right);
                        Node(or.Right, whenTrue, whenFalse);
                        break;
                    }

                case NotNode not:
                    Node(not.Operand, whenFalse, whenTrue);
                    break;
                case EverythingNode:
                    asm.Jump(whenTrue);
                    break;
                case ProtocolNode protocol:
                    Protocol(protocol.Protocol, whenTrue, whenFalse);
                    break;
                case HostNode host:
                    Address(host.Direction, host.AsPrefix, whenTrue, whenFalse);
                    break;
                case NetNode net:
                    Address(net.Direction, net.Prefix, whenTrue, whenFalse);
                    break;
                case PortNode port:
                    Port(port, whenTrue, whenFalse);
                    break;
                default:
                    throw new InvalidOperationException($"no BPF for filter node {node.GetType().Name}");
            }
        }

        private void LoadEthertype() => asm.Emit(Ld | W | Abs, AncillaryProtocol);

        private void Protocol(FilterProtocol protocol, int whenTrue, int whenFalse)
        {
            LoadEthertype();
            switch (protocol)
            {
                case FilterProtocol.Ip:
                    asm.JumpIf(Jeq, EthertypeIPv4, whenTrue, whenFalse);
                    return;
                case FilterProtocol.Ip6:
                    asm.JumpIf(Jeq, EthertypeIPv6, whenTrue, whenFalse);
                    return;
            }

            var v4 = asm.NewLabel();
            var notV4 = asm.NewLabel();
            asm.JumpIf(Jeq, EthertypeIPv4, v4, notV4);
            asm.Mark(v4);
            asm.Emit(Ld | B | Abs, 9);
            asm.JumpIf(Jeq, ProtocolTcp, whenTrue, whenFalse);

            asm.Mark(notV4);
            var v6 = asm.NewLabel();
            asm.JumpIf(Jeq, EthertypeIPv6, v6, whenFalse);
            asm.Mark(v6);
            asm.Emit(Ld | B | Abs, 6);
            var notDirect = asm.NewLabel();
            asm.JumpIf(Jeq, ProtocolTcp, whenTrue, notDirect);
            asm.Mark(notDirect);
            var fragment = asm.NewLabel();
            asm.JumpIf(Jeq, Ipv6FragmentHeader, fragment, whenFalse);
            asm.Mark(fragment);
            asm.Emit(Ld | B | Abs, 40);
            asm.JumpIf(Jeq, ProtocolTcp, whenTrue, whenFalse);
        }

        private void Address(EndpointDirection direction, IpPrefix prefix, int whenTrue, int whenFalse)
        {
            var v6 = prefix.Network.IsV6;
            LoadEthertype();
            var family = asm.NewLabel();
            asm.JumpIf(Jeq, v6 ? EthertypeIPv6 : EthertypeIPv4, family, whenFalse);
            asm.Mark(family);

            var source = v6 ? 8u : 12u;
            var destination = v6 ? 24u : 16u;
            switch (direction)
            {
                case EndpointDirection.Source:
                    Prefix(source, prefix, whenTrue, whenFalse);
                    break;
                case EndpointDirection.Destination:
                    Prefix(destination, prefix, whenTrue, whenFalse);
                    break;
                case EndpointDirection.Both:
                    {
                        var second = asm.NewLabel();
                        Prefix(source, prefix, second, whenFalse);
                        asm.Mark(second);
                        Prefix(destination, prefix, whenTrue, whenFalse);
                        break;
                    }

                default:
                    {
                        var second = asm.NewLabel();
                        Prefix(source, prefix, whenTrue, second);
                        asm.Mark(second);
                        Prefix(destination, prefix, whenTrue, whenFalse);
                        break;
                    }
            }
        }

        /// <summary>Compares the address at <paramref name="offset"/> with the prefix, one 32-bit word at a time.</summary>
        private void Prefix(uint offset, IpPrefix prefix, int whenTrue, int whenFalse)
        {
            var words = (prefix.Length + 31) / 32;
            if (words == 0)
            {
                asm.Jump(whenTrue);
                return;
            }

            for (var w = 0; w < words; w++)
            {
                asm.Emit(Ld | W | Abs, offset + (uint)(4 * w));
                var mask = prefix.WordMask(w);
                if (mask != uint.MaxValue)
                {
                    asm.Emit(Alu | BpfOpcodes.And | K, mask);
                }

                var last = w == words - 1;
                var next = last ? whenTrue : asm.NewLabel();
                asm.JumpIf(Jeq, prefix.Word(w) & mask, next, whenFalse);
                if (!last)
                {
                    asm.Mark(next);
                }
            }
        }

        private void Port(PortNode port, int whenTrue, int whenFalse)
        {
            LoadEthertype();
            var v4 = asm.NewLabel();
            var notV4 = asm.NewLabel();
            asm.JumpIf(Jeq, EthertypeIPv4, v4, notV4);

            asm.Mark(v4);
            asm.Emit(Ld | B | Abs, 9);
            var tcp4 = asm.NewLabel();
            asm.JumpIf(Jeq, ProtocolTcp, tcp4, whenFalse);
            asm.Mark(tcp4);

            // Only a first (or unfragmented) fragment carries the TCP header.
            asm.Emit(Ld | H | Abs, 6);
            var firstFragment = asm.NewLabel();
            asm.JumpIf(Jset, 0x1fff, whenFalse, firstFragment);
            asm.Mark(firstFragment);
            asm.Emit(Ldx | B | Msh, 0);
            Ports(Ind, 0, port, whenTrue, whenFalse);

            asm.Mark(notV4);
            var v6 = asm.NewLabel();
            asm.JumpIf(Jeq, EthertypeIPv6, v6, whenFalse);
            asm.Mark(v6);
            asm.Emit(Ld | B | Abs, 6);
            var tcp6 = asm.NewLabel();
            asm.JumpIf(Jeq, ProtocolTcp, tcp6, whenFalse);
            asm.Mark(tcp6);
            Ports(Abs, 40, port, whenTrue, whenFalse);
        }

        /// <summary>Tests the source and destination ports at <paramref name="tcpHeader"/> (+X for indirect loads).</summary>
        private void Ports(ushort mode, uint tcpHeader, PortNode port, int whenTrue, int whenFalse)
        {
            switch (port.Direction)
            {
                case EndpointDirection.Source:
                    PortAt(mode, tcpHeader, port, whenTrue, whenFalse);
                    break;
                case EndpointDirection.Destination:
                    PortAt(mode, tcpHeader + 2, port, whenTrue, whenFalse);
                    break;
                case EndpointDirection.Both:
                    {
                        var second = asm.NewLabel();
                        PortAt(mode, tcpHeader, port, second, whenFalse);
                        asm.Mark(second);
                        PortAt(mode, tcpHeader + 2, port, whenTrue, whenFalse);
                        break;
                    }

                default:
                    {
                        var second = asm.NewLabel();
                        PortAt(mode, tcpHeader, port, whenTrue, second);
                        asm.Mark(second);
                        PortAt(mode, tcpHeader + 2, port, whenTrue, whenFalse);
                        break;
                    }
            }
        }

        private void PortAt(ushort mode, uint offset, PortNode port, int whenTrue, int whenFalse)
        {
            asm.Emit((ushort)(Ld | H | mode), offset);
            if (port.Low == port.High)
            {
                asm.JumpIf(Jeq, port.Low, whenTrue, whenFalse);
                return;
            }

            var atLeastLow = asm.NewLabel();
            asm.JumpIf(Jge, port.Low, atLeastLow, whenFalse);
            asm.Mark(atLeastLow);
            asm.JumpIf(Jgt, port.High, whenFalse, whenTrue);
        }
    }
}
