using Linger.Flows;
using Linger.Flows.Internal;

namespace Linger.Tests.Flows;

/// <summary>
/// Zeek's conn_state decision table (base/protocols/conn/main.zeek, function conn_state), fed endpoint states
/// directly. Each row cites the branch of that function that produces it.
/// </summary>
public sealed class ZeekConnStateRuleTests
{
    [Theory]
    // rs == TCP_RESET and os is SYN_SENT or SYN_ACK_SENT: "REJ".
    [InlineData("SynSent", "Reset", 0, 0, "Sr", ZeekConnState.REJ)]
    [InlineData("SynAckSent", "Reset", 0, 0, "Hr", ZeekConnState.REJ)]
    // rs == TCP_RESET, os == TCP_RESET and both sizes 0: "REJ".
    [InlineData("Reset", "Reset", 0, 0, "Rr", ZeekConnState.REJ)]
    // rs == TCP_RESET, os inactive (INACTIVE or PARTIAL): "RSTRH".
    [InlineData("Inactive", "Reset", 0, 0, "^hr", ZeekConnState.RSTRH)]
    [InlineData("Partial", "Reset", 5, 0, "Dr", ZeekConnState.RSTRH)]
    // rs == TCP_RESET otherwise: "RSTR" (also os RESET with data).
    [InlineData("Established", "Reset", 10, 0, "ShADr", ZeekConnState.RSTR)]
    [InlineData("Closed", "Reset", 10, 0, "ShADFr", ZeekConnState.RSTR)]
    [InlineData("Reset", "Reset", 10, 0, "ShADRr", ZeekConnState.RSTR)]
    // os == TCP_RESET, rs inactive, history matches /^?S[^HAFGIQ]*R.*/: "RSTOS0"; otherwise "OTH".
    [InlineData("Reset", "Inactive", 0, 0, "SR", ZeekConnState.RSTOS0)]
    [InlineData("Reset", "Inactive", 0, 0, "^SdR", ZeekConnState.RSTOS0)]
    [InlineData("Reset", "Inactive", 0, 0, "SAR", ZeekConnState.OTH)]
    [InlineData("Reset", "Partial", 0, 0, "DR", ZeekConnState.OTH)]
    // os == TCP_RESET, rs active: "RSTO".
    [InlineData("Reset", "Established", 0, 0, "ShR", ZeekConnState.RSTO)]
    [InlineData("Reset", "Closed", 0, 0, "ShAfR", ZeekConnState.RSTO)]
    // both TCP_CLOSED: "SF".
    [InlineData("Closed", "Closed", 1, 1, "ShADadFf", ZeekConnState.SF)]
    // os == TCP_CLOSED: "SH" when rs inactive, else "S2".
    [InlineData("Closed", "Inactive", 0, 0, "SF", ZeekConnState.SH)]
    [InlineData("Closed", "Partial", 0, 0, "Fd", ZeekConnState.SH)]
    [InlineData("Closed", "Established", 0, 0, "ShADF", ZeekConnState.S2)]
    // rs == TCP_CLOSED: "SHR" when os inactive, else "S3".
    [InlineData("Inactive", "Closed", 0, 0, "^hf", ZeekConnState.SHR)]
    [InlineData("Established", "Closed", 0, 0, "ShADf", ZeekConnState.S3)]
    // os == SYN_SENT and rs == INACTIVE: "S0".
    [InlineData("SynSent", "Inactive", 0, 0, "S", ZeekConnState.S0)]
    // both ESTABLISHED: "S1".
    [InlineData("Established", "Established", 0, 0, "ShA", ZeekConnState.S1)]
    // anything else: "OTH".
    [InlineData("Partial", "Partial", 0, 0, "Dd", ZeekConnState.OTH)]
    [InlineData("SynAckSent", "Partial", 0, 0, "Had", ZeekConnState.OTH)]
    [InlineData("SynSent", "Partial", 0, 0, "Sd", ZeekConnState.OTH)]
    public void Endpoint_states_map_to_Zeeks_conn_state(
        string orig, string resp, ulong origSize, ulong respSize, string history, ZeekConnState expected) =>
        Assert.Equal(expected, ZeekConnStateRule.Classify(State(orig), State(resp), origSize, respSize, history));

    [Theory]
    [InlineData("SR", true)]
    [InlineData("^SR", true)]
    [InlineData("SrR", true)] // lower-case letters are not excluded by [^HAFGIQ]
    [InlineData("STR", true)]
    [InlineData("SDR", true)]
    [InlineData("SRA", true)] // anything may follow the R
    [InlineData("ShR", true)]
    [InlineData("SHR", false)]
    [InlineData("SAR", false)]
    [InlineData("SFR", false)]
    [InlineData("SIR", false)]
    [InlineData("SQR", false)]
    [InlineData("SGR", false)]
    [InlineData("S", false)]
    [InlineData("R", false)]
    [InlineData("DSR", false)] // anchored at the start
    [InlineData("^^SR", false)]
    public void The_RSTOS0_history_pattern_is_matched_whole(string history, bool matches) =>
        Assert.Equal(matches, ZeekConnStateRule.IsSynThenReset(history));

    private static ZeekEndpointState State(string name) => Enum.Parse<ZeekEndpointState>(name);
}
