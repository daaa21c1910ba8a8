using System.Globalization;
using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// Whether the RST that ended a conversation looks forged by a device on the path rather than sent by the endpoint
/// it claims to come from. Each reason is "key: detail"; the keys are <c>ttl-mismatch</c>, <c>ip-id-anomaly</c>,
/// <c>seq-outside-window</c>, <c>rst-seq-jump</c> and <c>sender-continued</c>.
/// </summary>
/// <remarks>
/// Built not to accuse real kernels: a RST from the socket's own stack carries the same TTL as its other packets
/// and continues its IP ID counter (Linux sends socket-less RSTs with ID 0 and DF, which is never judged), its
/// sequence number is what the receiver expects, repeated RSTs repeat the same sequence number, and nothing follows
/// a RST from the same stack.
/// </remarks>
internal static class InjectionRule
{
    /// <summary>The largest step between consecutive IP IDs that still looks like a counter.</summary>
    public const int MaxIpIdStep = 64;

    /// <summary>A counter's next ID should follow within this many steps...</summary>
    public const int MaxIpIdGapToRst = 256;

    /// <summary>...provided the RST comes this soon after the sender's last packet (global counters move on).</summary>
    public const long IpIdWindowNs = 2_000_000_000;

    /// <summary>The reasons the RST looks injected; empty when nothing does.</summary>
    [MethodImpl(Compile.Hot)]
    public static IReadOnlyList<string> Judge(in ResetEvidence rst)
    {
        if (!rst.Exists)
        {
            return [];
        }

        List<string>? reasons = null;
        var hop = rst.IsV6 ? "hop limit" : "TTL";

        if (rst.SenderTtlCount > 0 && (rst.Ttl < rst.SenderTtlMin || rst.Ttl > rst.SenderTtlMax))
        {
            var seen = rst.SenderTtlMin == rst.SenderTtlMax
                ? rst.SenderTtlMin.ToString(CultureInfo.InvariantCulture)
                : $"{rst.SenderTtlMin}-{rst.SenderTtlMax}";
            Add(ref reasons, $"ttl-mismatch: the RST arrived with {hop} {rst.Ttl}; the sender's other {rst.SenderTtlCount} packet(s) had {seen}");
        }

        if (!rst.IsV6 && rst.IpId != 0 && rst.SenderIpIdCount >= 3 && rst.SenderIpIdSequential
            && rst.TimestampNs - rst.SenderLastNonRstNs <= IpIdWindowNs)
        {
            var step = (ushort)(rst.IpId - rst.SenderLastIpId);
            if (step is 0 or > MaxIpIdGapToRst)
            {
                Add(ref reasons, string.Create(
                    CultureInfo.InvariantCulture,
                    $"ip-id-anomaly: the RST's IP ID {rst.IpId} does not continue the sender's counter (last {rst.SenderLastIpId})"));
            }
        }

        if (rst.ReceiverAckKnown)
        {
            var distance = Math.Abs((long)unchecked((int)(rst.Seq - rst.ReceiverNextExpected)));
            var window = Math.Max(1UL, rst.ReceiverWindowBytes);
            if ((ulong)distance > window)
            {
                Add(ref reasons, string.Create(
                    CultureInfo.InvariantCulture,
                    $"seq-outside-window: the RST's sequence number is {distance} bytes from what the receiver expected ({rst.ReceiverNextExpected}), beyond its {window}-byte window"));
            }
        }

        if (rst.SeqJumped)
        {
            Add(ref reasons, "rst-seq-jump: back-to-back RSTs from the same side carry different sequence numbers");
        }

        if (rst.SenderPacketsAfter > 0)
        {
            Add(ref reasons, string.Create(
                CultureInfo.InvariantCulture,
                $"sender-continued: the supposed resetter sent {rst.SenderPacketsAfter} more packet(s) after its RST"));
        }

        return reasons is null ? [] : reasons;
    }

    private static void Add(ref List<string>? reasons, string reason) => (reasons ??= []).Add(reason);
}
