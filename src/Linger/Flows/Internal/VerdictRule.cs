namespace Linger.Flows.Internal;

/// <summary>Linger's verdict on how a conversation ended: one decision over the two sides' facts.</summary>
internal static class VerdictRule
{
    /// <summary>
    /// The verdict, in this order: <see cref="Verdict.Unanswered"/> when the client's SYN got nothing back;
    /// <see cref="Verdict.Refused"/> when the server's first RST answered the SYN before any SYN-ACK; a RST that came
    /// after both FINs leaves the close <see cref="Verdict.Closed"/>, any other first RST makes it
    /// <see cref="Verdict.Reset"/> (<paramref name="resetBy"/> says who); then FINs from both sides
    /// <see cref="Verdict.Closed"/>, from one <see cref="Verdict.HalfClosed"/>; with neither, a conversation whose
    /// handshake was seen (a SYN answered, or a SYN-ACK answered) is <see cref="Verdict.Open"/>, anything else
    /// <see cref="Verdict.Midstream"/>.
    /// </summary>
    public static Verdict Decide(in SideFacts client, in SideFacts server, out Side? resetBy)
    {
        resetBy = null;
        if (client.SynOrder >= 0 && server.Packets == 0)
        {
            return Verdict.Unanswered;
        }

        var firstRst = FirstRst(client, server, out var rstSide);
        if (firstRst >= 0)
        {
            if (rstSide == Side.Server && client.SynOrder >= 0 && client.SynOrder < firstRst
                && !(server.SynAckOrder >= 0 && server.SynAckOrder < firstRst))
            {
                return Verdict.Refused;
            }

            if (client.FinOrder >= 0 && client.FinOrder < firstRst && server.FinOrder >= 0 && server.FinOrder < firstRst)
            {
                return Verdict.Closed; // both applications had closed; the RST reached nobody's reads or writes
            }

            resetBy = rstSide;
            return Verdict.Reset;
        }

        var fins = (client.FinOrder >= 0 ? 1 : 0) + (server.FinOrder >= 0 ? 1 : 0);
        if (fins == 2)
        {
            return Verdict.Closed;
        }

        if (fins == 1)
        {
            return Verdict.HalfClosed;
        }

        var handshake = (client.SynOrder >= 0 && server.Packets > 0) || (server.SynAckOrder >= 0 && client.Packets > 0);
        return handshake ? Verdict.Open : Verdict.Midstream;
    }

    private static long FirstRst(in SideFacts client, in SideFacts server, out Side side)
    {
        if (client.RstOrder >= 0 && (server.RstOrder < 0 || client.RstOrder < server.RstOrder))
        {
            side = Side.Client;
            return client.RstOrder;
        }

        side = Side.Server;
        return server.RstOrder;
    }
}
