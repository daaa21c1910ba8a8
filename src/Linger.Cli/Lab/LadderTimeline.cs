using Linger.Lab;

namespace Linger.Cli.Lab;

/// <summary>
/// One moment of a ladder, top to bottom: a captured packet, or a call with the TCP states that changed with it.
/// </summary>
internal abstract record LadderEntry(double TimeMs);

/// <summary>A captured segment; <paramref name="Index"/> is its place in the scenario's capture.</summary>
internal sealed record PacketEntry(int Index, LabPacket Packet) : LadderEntry(Packet.TimeMs);

/// <summary>A call, and each side's state when it differs from the one last drawn (null: unchanged).</summary>
internal sealed record StepEntry(ScenarioStep Step, TcpSocketState? ClientState, TcpSocketState? ServerState) : LadderEntry(Step.TimeMs);

/// <summary>The calls and packets of a run on one clock, in the order a ladder draws them.</summary>
internal static class LadderTimeline
{
    /// <summary>
    /// Merges steps and packets by time. A step's time is when its call returned, so a packet with the same time
    /// was caused by it and is drawn after it; ties between packets keep capture order.
    /// </summary>
    public static List<LadderEntry> Of(ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var steps = result.Steps;
        var packets = result.Packets;
        var entries = new List<LadderEntry>(steps.Count + packets.Count);
        TcpSocketState? client = null, server = null;
        int si = 0, pi = 0;
        while (si < steps.Count || pi < packets.Count)
        {
            if (pi >= packets.Count || (si < steps.Count && steps[si].TimeMs <= packets[pi].TimeMs))
            {
                var step = steps[si++];
                var clientChanged = step.ClientState != client;
                var serverChanged = step.ServerState != server;
                client = step.ClientState;
                server = step.ServerState;
                entries.Add(new StepEntry(step, clientChanged ? client : null, serverChanged ? server : null));
            }
            else
            {
                entries.Add(new PacketEntry(pi, packets[pi]));
                pi++;
            }
        }

        return entries;
    }
}
