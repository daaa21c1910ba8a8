using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>Turns a tracked conversation into its summary by applying the verdict rules to its state.</summary>
internal static class SummaryBuilder
{
    [MethodImpl(Compile.Hot)]
    public static ConversationSummary Build(ConversationTable table, int slot, HistoryStrings histories, TrackingEnd ended)
    {
        ref var c = ref table[slot];
        var clientSide = ClientRule.Choose(
            c.FirstSynSide, c.FirstSynAckSide, c.Key.PortOf(0), c.Key.PortOf(1), c.FirstSender, out var guess);
        var serverSide = 1 - clientSide;
        ref var client = ref c.Side(clientSide);
        ref var server = ref c.Side(serverSide);
        var clientFacts = SideFacts.Of(in client);
        var serverFacts = SideFacts.Of(in server);

        ref var zeek = ref c.Zeek;
        ref var orig = ref zeek.Orig;
        ref var resp = ref zeek.Resp;
        var history = zeek.History.ToShared(table.LongHistory(slot), histories);
        var origSize = orig.Size(in resp);
        var respSize = resp.Size(in orig);
        var connState = ZeekConnStateRule.Classify(orig.State, resp.State, origSize, respSize, history);
        var clientIsOrig = zeek.OrigSide == clientSide;

        var verdict = VerdictRule.Decide(in clientFacts, in serverFacts, out var resetBy);
        var rst = c.ResetId != 0 ? table.Resets[c.ResetId] : ResetEvidence.None;
        if (rst.Exists)
        {
            ref var resetter = ref c.Side(rst.Resetter);
            rst.SenderTtlCount = resetter.TtlCount;
            rst.SenderTtlMin = resetter.TtlMin;
            rst.SenderTtlMax = resetter.TtlMax;
        }

        var isReset = verdict == Verdict.Reset;
        var injection = isReset ? InjectionRule.Judge(in rst) : [];
        var victimEstablished = resetBy switch
        {
            // A client that aborts its own unfinished handshake leaves the server application nothing to see.
            Side.Client => clientFacts.SynOrder < 0 || (clientFacts.AckOrder >= 0 && clientFacts.AckOrder < rst.Order),
            _ => true,
        };

        return new ConversationSummary
        {
            Client = c.Key.EndpointOf(clientSide),
            Server = c.Key.EndpointOf(serverSide),
            ClientIsGuess = guess,
            StartNs = c.FirstNs,
            EndNs = c.LastNs,
            Packets = c.Packets,
            PacketsClient = client.Packets,
            PacketsServer = server.Packets,
            BytesClient = Bytes(clientIsOrig ? origSize : respSize),
            BytesServer = Bytes(clientIsOrig ? respSize : origSize),
            IpBytesClient = client.IpBytes,
            IpBytesServer = server.IpBytes,
            ConnState = connState,
            History = history,
            ZeekOriginator = clientIsOrig ? Side.Client : Side.Server,
            Verdict = verdict,
            ResetBy = isReset ? resetBy : null,
            AfterFin = isReset ? rst.AfterFin : null,
            InReplyToData = isReset ? rst.InReplyToData : null,
            IdleBeforeSeconds = isReset ? rst.IdleBeforeNs / 1e9 : null,
            SuspectedInjection = injection.Count > 0,
            InjectionReasons = injection,
            LikelyErrors = LikelyErrorRule.For(verdict, resetBy, in rst, victimEstablished),
            LongestSilenceSeconds = c.MaxGapNs / 1e9,
            TrackingEnded = ended,
            Counts = Counts(in c),
            FirstFrame = c.FirstFrame,
            ResetFrame = (verdict is Verdict.Reset or Verdict.Refused) && rst.Exists ? rst.Frame : -1,
        };
    }

    private static AnalysisCounts Counts(in Conversation c)
    {
        if ((c.Retransmissions | c.FastRetransmissions | c.DuplicateAcks | c.ZeroWindows | c.WindowFull | c.KeepAlives | c.OutOfOrder) == 0)
        {
            return AnalysisCounts.None;
        }

        return new AnalysisCounts
        {
            Retransmissions = c.Retransmissions,
            FastRetransmissions = c.FastRetransmissions,
            DuplicateAcks = c.DuplicateAcks,
            ZeroWindows = c.ZeroWindows,
            WindowFull = c.WindowFull,
            KeepAlives = c.KeepAlives,
            OutOfOrder = c.OutOfOrder,
        };
    }

    private static long Bytes(ulong size) => size > long.MaxValue ? long.MaxValue : (long)size;
}
