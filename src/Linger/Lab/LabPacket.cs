using Linger.Wire;

namespace Linger.Lab;

/// <summary>One captured segment of a scenario, on the scenario's clock, for ladders.</summary>
/// <param name="TimeMs">Milliseconds since the scenario started.</param>
/// <param name="FromClient">True when the client sent it (the segment goes to the server's port).</param>
/// <param name="ClientPort">The client's port: tells the scenario's connections apart.</param>
/// <param name="Flags">TCP flags.</param>
/// <param name="RelativeSequence">Sequence number relative to the sender's first sequence number seen.</param>
/// <param name="RelativeAcknowledgment">Acknowledgment number relative to the receiver's first sequence number seen (null without ACK).</param>
/// <param name="Length">Payload bytes.</param>
/// <param name="Window">The advertised window, scaled when the handshake was seen.</param>
/// <param name="Ttl">IPv4 TTL or IPv6 hop limit.</param>
public sealed record LabPacket(
    double TimeMs,
    bool FromClient,
    int ClientPort,
    TcpFlags Flags,
    long RelativeSequence,
    long? RelativeAcknowledgment,
    int Length,
    long Window,
    int Ttl)
{
    /// <summary>Flags as people write them: <c>SYN</c>, <c>SYN ACK</c>, <c>PSH ACK</c>, <c>RST</c>, <c>FIN ACK</c>.</summary>
    public string FlagNames
    {
        get
        {
            var names = new List<string>(4);
            if ((Flags & TcpFlags.Syn) != 0)
            {
                names.Add("SYN");
            }

            if ((Flags & TcpFlags.Fin) != 0)
            {
                names.Add("FIN");
            }

            if ((Flags & TcpFlags.Rst) != 0)
            {
                names.Add("RST");
            }

            if ((Flags & TcpFlags.Psh) != 0)
            {
                names.Add("PSH");
            }

            if ((Flags & TcpFlags.Ack) != 0)
            {
                names.Add("ACK");
            }

            return names.Count == 0 ? "none" : string.Join(' ', names);
        }
    }

    /// <summary>A one-line description: <c>PSH ACK seq=1 ack=1 len=5 win=65483</c>.</summary>
    public string Describe()
    {
        var text = $"{FlagNames} seq={RelativeSequence}";
        if (RelativeAcknowledgment is { } ack)
        {
            text += $" ack={ack}";
        }

        return text + $" len={Length} win={Window}";
    }
}
