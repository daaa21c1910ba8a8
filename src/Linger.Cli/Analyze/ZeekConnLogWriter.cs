using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Linger.Flows;

namespace Linger.Cli.Analyze;

/// <summary>
/// Writes conversations as a Zeek conn.log in its TSV form (header lines, tab-separated fields, '-' for unset),
/// so zeek-cut and the tools that ingest Zeek logs read it. Fields Linger does not know (service, local_orig,
/// missed_bytes, tunnel_parents) are written unset.
/// </summary>
/// <remarks>
/// A line per conversation, often hundreds of thousands: each is written as UTF-8 bytes into one buffer (numbers,
/// addresses and times by digit arithmetic) and the buffer handed to the stream 64 KiB at a time.
/// </remarks>
internal sealed class ZeekConnLogWriter(Stream output) : IConversationWriter, IDisposable
{
    private const int BatchBytes = 1 << 16;

    // Room for every fixed-size part of a line (the history is made room for separately).
    private const int FixedLineBytes = 512;

    // Each conn_state (by value) and the three unset fields after it.
    private static readonly byte[][] ConnStateText = UnsetAfter(Enum.GetNames<ZeekConnState>());

    private byte[] _buffer = new byte[BatchBytes + FixedLineBytes];
    private int _length;
    private long _uid;

    public void Begin(DateTimeOffset opened)
    {
        Text("#separator \\x09\n");
        Text("#set_separator\t,\n");
        Text("#empty_field\t(empty)\n");
        Text("#unset_field\t-\n");
        Text("#path\tconn\n");
        Text($"#open\t{opened.UtcDateTime.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture)}\n");
        Text("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n");
        Text("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n");
    }

    [MethodImpl(Compile.Hot)]
    public void Write(ConversationSummary c)
    {
        var history = c.History.Length == 0 ? "(empty)" : c.History;
        Ensure(FixedLineBytes + Encoding.UTF8.GetMaxByteCount(history.Length));
        var l = _buffer.AsSpan(_length);
        var n = Seconds(c.StartNs, l);
        l[n++] = (byte)'\t';
        n += Uid(++_uid, l[n..]);
        l[n++] = (byte)'\t';

        // Zeek's originator is our client except where Zeek's own rules flipped it (midstream, SYN-ACK first).
        var flipped = c.ZeekOriginator == Side.Server;
        var (orig, resp) = flipped ? (c.Server, c.Client) : (c.Client, c.Server);
        n = Endpoint(orig, l, n);
        n = Endpoint(resp, l, n);
        var proto = "tcp\t-\t"u8;
        proto.CopyTo(l[n..]);
        n += proto.Length;
        n += Seconds(c.EndNs - c.StartNs, l[n..]);
        l[n++] = (byte)'\t';
        n = Field(flipped ? c.BytesServer : c.BytesClient, l, n);
        n = Field(flipped ? c.BytesClient : c.BytesServer, l, n);
        var state = ConnStateText[(int)c.ConnState];
        state.AsSpan().CopyTo(l[n..]);
        n += state.Length;
        n += Encoding.UTF8.GetBytes(history, l[n..]);
        l[n++] = (byte)'\t';
        n = Field(flipped ? c.PacketsServer : c.PacketsClient, l, n);
        n = Field(flipped ? c.IpBytesServer : c.IpBytesClient, l, n);
        n = Field(flipped ? c.PacketsClient : c.PacketsServer, l, n);
        n = Field(flipped ? c.IpBytesClient : c.IpBytesServer, l, n);
        l[n++] = (byte)'-';
        l[n++] = (byte)'\n';
        _length += n;
        if (_length >= BatchBytes)
        {
            Drain();
        }
    }

    public void End(DateTimeOffset closed)
    {
        Text($"#close\t{closed.UtcDateTime.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture)}\n");
        Drain();
        output.Flush();
    }

    /// <summary>Hands over the rows formatted so far (none after <see cref="End"/>).</summary>
    public void Dispose() => Drain();

    /// <summary>
    /// Seconds with six decimals, as <c>(ns / 1_000 / 1e6).ToString("F6")</c> writes them (Zeek's microsecond times):
    /// the whole microseconds' digits with a point before the last six. That is the same text wherever the double
    /// keeps microseconds exactly (below 2^33 seconds); other times go through the double.
    /// </summary>
    internal static int Seconds(long ns, Span<byte> destination)
    {
        var micros = ns / 1_000;
        if (micros is < 0 or >= 8_000_000_000_000_000)
        {
            return Encoding.ASCII.GetBytes((micros / 1e6).ToString("F6", CultureInfo.InvariantCulture), destination);
        }

        var whole = micros / 1_000_000;
        var n = AsciiText.Digits((ulong)whole, destination);
        destination[n++] = (byte)'.';
        return n + AsciiText.PaddedDigits((int)(micros - (whole * 1_000_000)), 6, destination[n..]);
    }

    // Zeek's uids are "C" plus base62; ours are deterministic per file so two runs produce the same log.
    private static int Uid(long n, Span<byte> destination)
    {
        var digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8;
        var v = (ulong)n * 0x9E3779B97F4A7C15UL;
        destination[0] = (byte)'C';
        for (var i = 17; i >= 1; i--)
        {
            destination[i] = digits[(int)(v % 62)];
            v /= 62;
        }

        return 18;
    }

    private static int Endpoint(Endpoint e, Span<byte> line, int n)
    {
        n += AsciiText.Address(e.Address, line[n..]);
        line[n++] = (byte)'\t';
        n += AsciiText.Digits(e.Port, line[n..]);
        line[n++] = (byte)'\t';
        return n;
    }

    private static int Field(long value, Span<byte> line, int n)
    {
        n += AsciiText.Number(value, line[n..]);
        line[n++] = (byte)'\t';
        return n;
    }

    private static byte[][] UnsetAfter(string[] names)
    {
        var texts = new byte[names.Length][];
        for (var i = 0; i < names.Length; i++)
        {
            texts[i] = Encoding.ASCII.GetBytes(names[i] + "\t-\t-\t-\t");
        }

        return texts;
    }

    private void Text(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Ensure(bytes.Length);
        bytes.AsSpan().CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Drain();
            if (more > _buffer.Length)
            {
                _buffer = new byte[more];
            }
        }
    }

    private void Drain()
    {
        if (_length == 0)
        {
            return;
        }

        output.Write(_buffer, 0, _length);
        _length = 0;
    }
}
