using System.Globalization;
using System.Text;
using Linger.Flows;

namespace Linger.Cli.Analyze;

/// <summary>
/// Writes conversations as a Zeek conn.log in its TSV form (header lines, tab-separated fields, '-' for unset),
/// so zeek-cut and the tools that ingest Zeek logs read it. Fields Linger does not know (service, local_orig,
/// missed_bytes, tunnel_parents) are written unset.
/// </summary>
internal sealed class ZeekConnLogWriter(TextWriter output) : IConversationWriter
{
    private const char Unset = '-';
    private readonly StringBuilder _line = new(256);
    private long _uid;

    public void Begin(DateTimeOffset opened)
    {
        output.Write("#separator \\x09\n");
        output.Write("#set_separator\t,\n");
        output.Write("#empty_field\t(empty)\n");
        output.Write("#unset_field\t-\n");
        output.Write("#path\tconn\n");
        output.Write($"#open\t{opened.UtcDateTime.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture)}\n");
        output.Write("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n");
        output.Write("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n");
    }

    public void Write(ConversationSummary c)
    {
        var l = _line.Clear();
        l.Append(Seconds(c.StartNs)).Append('\t');
        l.Append(Uid(++_uid)).Append('\t');
        // Zeek's originator is our client except where Zeek's own rules flipped it (midstream, SYN-ACK first).
        var flipped = c.ZeekOriginator == Side.Server;
        var (orig, resp) = flipped ? (c.Server, c.Client) : (c.Client, c.Server);
        l.Append(orig.Address.ToString()).Append('\t').Append(orig.Port).Append('\t');
        l.Append(resp.Address.ToString()).Append('\t').Append(resp.Port).Append('\t');
        l.Append("tcp\t").Append(Unset).Append('\t');
        l.Append(Seconds(c.EndNs - c.StartNs)).Append('\t');
        l.Append(flipped ? c.BytesServer : c.BytesClient).Append('\t').Append(flipped ? c.BytesClient : c.BytesServer).Append('\t');
        l.Append(c.ConnState).Append('\t');
        l.Append(Unset).Append('\t').Append(Unset).Append('\t').Append(Unset).Append('\t');
        l.Append(c.History.Length == 0 ? "(empty)" : c.History).Append('\t');
        l.Append(flipped ? c.PacketsServer : c.PacketsClient).Append('\t').Append(flipped ? c.IpBytesServer : c.IpBytesClient).Append('\t');
        l.Append(flipped ? c.PacketsClient : c.PacketsServer).Append('\t').Append(flipped ? c.IpBytesClient : c.IpBytesServer).Append('\t');
        l.Append(Unset).Append('\n');
        output.Write(l);
    }

    public void End(DateTimeOffset closed) =>
        output.Write($"#close\t{closed.UtcDateTime.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture)}\n");

    // Zeek prints times as seconds with microsecond precision.
    private static string Seconds(long ns) => (ns / 1_000 / 1e6).ToString("F6", CultureInfo.InvariantCulture);

    // Zeek's uids are "C" plus base62; ours are deterministic per file so two runs produce the same log.
    private static string Uid(long n)
    {
        const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        Span<char> buffer = stackalloc char[18];
        var v = (ulong)n * 0x9E3779B97F4A7C15UL;
        var i = buffer.Length;
        for (var k = 0; k < 17; k++)
        {
            buffer[--i] = Digits[(int)(v % 62)];
            v /= 62;
        }

        buffer[--i] = 'C';
        return new string(buffer[i..]);
    }
}
