using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>Which side of a conversation is the client.</summary>
internal static class ClientRule
{
    /// <summary>
    /// The client is the sender of the first plain SYN; without one, the receiver of the first SYN-ACK. With neither
    /// (the capture started midstream) the midstream rule guesses: a side whose port is well known (below 1024) while
    /// the other's is not is the server; otherwise the side with the higher port is the client, since clients take
    /// ephemeral ports from the top of the range (Linux 32768-60999, Windows 49152-65535); with equal ports, the
    /// sender of the first packet is the client.
    /// </summary>
    /// <returns>The client's side (0 or 1 of the flow key).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Choose(int firstSynSide, int firstSynAckSide, ushort port0, ushort port1, int firstSender, out bool isGuess)
    {
        isGuess = false;
        if (firstSynSide >= 0)
        {
            return firstSynSide;
        }

        if (firstSynAckSide >= 0)
        {
            return 1 - firstSynAckSide;
        }

        isGuess = true;
        var wellKnown0 = port0 < 1024;
        var wellKnown1 = port1 < 1024;
        if (wellKnown0 != wellKnown1)
        {
            return wellKnown0 ? 1 : 0;
        }

        if (port0 != port1)
        {
            return port0 > port1 ? 0 : 1;
        }

        return firstSender;
    }
}
