namespace Linger.Flows.Internal;

/// <summary>
/// Zeek's <c>conn_state</c> (base/protocols/conn/main.zeek, function conn_state): one decision table over the two
/// endpoints' states, their byte counts and the history.
/// </summary>
internal static class ZeekConnStateRule
{
    /// <summary>The conn_state of a TCP connection.</summary>
    /// <param name="orig">The originator's endpoint state.</param>
    /// <param name="resp">The responder's endpoint state.</param>
    /// <param name="origSize">The originator's byte count (TCP_Endpoint::Size).</param>
    /// <param name="respSize">The responder's byte count.</param>
    /// <param name="history">The history string.</param>
    public static ZeekConnState Classify(ZeekEndpointState orig, ZeekEndpointState resp, ulong origSize, ulong respSize, string history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var origInactive = orig is ZeekEndpointState.Inactive or ZeekEndpointState.Partial;
        var respInactive = resp is ZeekEndpointState.Inactive or ZeekEndpointState.Partial;

        if (resp == ZeekEndpointState.Reset)
        {
            if (orig is ZeekEndpointState.SynSent or ZeekEndpointState.SynAckSent
                || (orig == ZeekEndpointState.Reset && origSize == 0 && respSize == 0))
            {
                return ZeekConnState.REJ;
            }

            return origInactive ? ZeekConnState.RSTRH : ZeekConnState.RSTR;
        }

        if (orig == ZeekEndpointState.Reset)
        {
            if (respInactive)
            {
                return IsSynThenReset(history) ? ZeekConnState.RSTOS0 : ZeekConnState.OTH;
            }

            return ZeekConnState.RSTO;
        }

        if (resp == ZeekEndpointState.Closed && orig == ZeekEndpointState.Closed)
        {
            return ZeekConnState.SF;
        }

        if (orig == ZeekEndpointState.Closed)
        {
            return respInactive ? ZeekConnState.SH : ZeekConnState.S2;
        }

        if (resp == ZeekEndpointState.Closed)
        {
            return origInactive ? ZeekConnState.SHR : ZeekConnState.S3;
        }

        if (orig == ZeekEndpointState.SynSent && resp == ZeekEndpointState.Inactive)
        {
            return ZeekConnState.S0;
        }

        if (orig == ZeekEndpointState.Established && resp == ZeekEndpointState.Established)
        {
            return ZeekConnState.S1;
        }

        return ZeekConnState.OTH;
    }

    /// <summary>
    /// The whole history matches Zeek's <c>/\^?S[^HAFGIQ]*R.*/</c>: an originator SYN, then an originator RST, with no
    /// originator SYN-ACK, ACK, FIN, gap, inconsistency or multi-flag packet in between.
    /// </summary>
    public static bool IsSynThenReset(string history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var i = 0;
        if (i < history.Length && history[i] == '^')
        {
            i++;
        }

        if (i >= history.Length || history[i] != 'S')
        {
            return false;
        }

        for (i++; i < history.Length; i++)
        {
            switch (history[i])
            {
                case 'R':
                    return true;
                case 'H' or 'A' or 'F' or 'G' or 'I' or 'Q':
                    return false;
                default:
                    break;
            }
        }

        return false;
    }
}
