using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Linger.Flows;

namespace Linger.Cli.Analyze;

/// <summary>
/// One JSON object per conversation, one per line (JSON Lines). The fields are documented in README.md
/// ("linger analyze --format jsonl") and keep their meaning across versions; new fields may be added.
/// </summary>
internal sealed class JsonLinesWriter(Stream output) : IConversationWriter, IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly JsonEncodedText PClient = JsonEncodedText.Encode("client");
    private static readonly JsonEncodedText PServer = JsonEncodedText.Encode("server");
    private static readonly JsonEncodedText PClientIsGuess = JsonEncodedText.Encode("client_is_guess");
    private static readonly JsonEncodedText PStart = JsonEncodedText.Encode("start");
    private static readonly JsonEncodedText PEnd = JsonEncodedText.Encode("end");
    private static readonly JsonEncodedText PDurationS = JsonEncodedText.Encode("duration_s");
    private static readonly JsonEncodedText PPackets = JsonEncodedText.Encode("packets");
    private static readonly JsonEncodedText PPacketsClient = JsonEncodedText.Encode("packets_client");
    private static readonly JsonEncodedText PPacketsServer = JsonEncodedText.Encode("packets_server");
    private static readonly JsonEncodedText PBytesClient = JsonEncodedText.Encode("bytes_client");
    private static readonly JsonEncodedText PBytesServer = JsonEncodedText.Encode("bytes_server");
    private static readonly JsonEncodedText PConnState = JsonEncodedText.Encode("conn_state");
    private static readonly JsonEncodedText PHistory = JsonEncodedText.Encode("history");
    private static readonly JsonEncodedText PVerdict = JsonEncodedText.Encode("verdict");
    private static readonly JsonEncodedText PResetBy = JsonEncodedText.Encode("reset_by");
    private static readonly JsonEncodedText PAfterFin = JsonEncodedText.Encode("after_fin");
    private static readonly JsonEncodedText PInReplyToData = JsonEncodedText.Encode("in_reply_to_data");
    private static readonly JsonEncodedText PIdleBeforeS = JsonEncodedText.Encode("idle_before_s");
    private static readonly JsonEncodedText PSuspectedInjection = JsonEncodedText.Encode("suspected_injection");
    private static readonly JsonEncodedText PInjectionReasons = JsonEncodedText.Encode("injection_reasons");
    private static readonly JsonEncodedText PFlags = JsonEncodedText.Encode("flags");
    private static readonly JsonEncodedText PRetransmissions = JsonEncodedText.Encode("retransmissions");
    private static readonly JsonEncodedText PFastRetransmissions = JsonEncodedText.Encode("fast_retransmissions");
    private static readonly JsonEncodedText PDuplicateAcks = JsonEncodedText.Encode("duplicate_acks");
    private static readonly JsonEncodedText PZeroWindows = JsonEncodedText.Encode("zero_windows");
    private static readonly JsonEncodedText PWindowFull = JsonEncodedText.Encode("window_full");
    private static readonly JsonEncodedText PKeepAlives = JsonEncodedText.Encode("keep_alives");
    private static readonly JsonEncodedText POutOfOrder = JsonEncodedText.Encode("out_of_order");
    private static readonly JsonEncodedText PFirstFrame = JsonEncodedText.Encode("first_frame");
    private static readonly JsonEncodedText PResetFrame = JsonEncodedText.Encode("reset_frame");
    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private Utf8JsonWriter? _writer;

    public void Begin(DateTimeOffset opened) => _writer = new Utf8JsonWriter(_buffer, Options);

    public void Write(ConversationSummary c)
    {
        var w = _writer ?? throw new InvalidOperationException("Begin was not called.");
        _buffer.ResetWrittenCount();
        w.Reset(_buffer);
        w.WriteStartObject();
        WriteEndpoint(w, PClient, c.Client);
        WriteEndpoint(w, PServer, c.Server);
        w.WriteBoolean(PClientIsGuess, c.ClientIsGuess);
        WriteTime(w, PStart, c.StartNs);
        WriteTime(w, PEnd, c.EndNs);
        w.WriteNumber(PDurationS, Math.Round((c.EndNs - c.StartNs) / 1e9, 6));
        w.WriteNumber(PPackets, c.Packets);
        w.WriteNumber(PPacketsClient, c.PacketsClient);
        w.WriteNumber(PPacketsServer, c.PacketsServer);
        w.WriteNumber(PBytesClient, c.BytesClient);
        w.WriteNumber(PBytesServer, c.BytesServer);
        w.WriteString(PConnState, ConnStateText[(int)c.ConnState]);
        w.WriteString(PHistory, c.History);
        w.WriteString(PVerdict, VerdictText[(int)c.Verdict]);
        NullableString(w, PResetBy, c.ResetBy switch { Side.Client => "client", Side.Server => "server", _ => null });
        NullableBool(w, PAfterFin, c.AfterFin);
        NullableBool(w, PInReplyToData, c.InReplyToData);
        if (c.IdleBeforeSeconds is { } idle)
        {
            w.WriteNumber(PIdleBeforeS, Math.Round(idle, 6));
        }
        else
        {
            w.WriteNull(PIdleBeforeS);
        }

        w.WriteBoolean(PSuspectedInjection, c.SuspectedInjection);
        w.WriteStartArray(PInjectionReasons);
        foreach (var r in c.InjectionReasons)
        {
            w.WriteStringValue(r);
        }

        w.WriteEndArray();
        LikelyErrorsJson.Write(w, c);
        w.WriteStartObject(PFlags);
        w.WriteNumber(PRetransmissions, c.Counts.Retransmissions);
        w.WriteNumber(PFastRetransmissions, c.Counts.FastRetransmissions);
        w.WriteNumber(PDuplicateAcks, c.Counts.DuplicateAcks);
        w.WriteNumber(PZeroWindows, c.Counts.ZeroWindows);
        w.WriteNumber(PWindowFull, c.Counts.WindowFull);
        w.WriteNumber(PKeepAlives, c.Counts.KeepAlives);
        w.WriteNumber(POutOfOrder, c.Counts.OutOfOrder);
        w.WriteEndObject();
        w.WriteNumber(PFirstFrame, c.FirstFrame);
        if (c.ResetFrame >= 0)
        {
            w.WriteNumber(PResetFrame, c.ResetFrame);
        }
        else
        {
            w.WriteNull(PResetFrame);
        }

        w.WriteEndObject();
        w.Flush();
        output.Write(_buffer.WrittenSpan);
        output.WriteByte((byte)'\n');
    }

    public void End(DateTimeOffset closed)
    {
        _writer?.Dispose();
        output.Flush();
    }

    public void Dispose() => _writer?.Dispose();

    private static readonly JsonEncodedText[] ConnStateText = [.. Enum.GetValues<ZeekConnState>().Select(v => JsonEncodedText.Encode(v.ToString()))];
    private static readonly JsonEncodedText[] VerdictText = [.. Enum.GetValues<Verdict>().Select(v => JsonEncodedText.Encode(VerdictName(v)))];

    // Endpoints and times are formatted on the stack: this writer runs once per conversation, millions of times.
    private static void WriteEndpoint(Utf8JsonWriter w, JsonEncodedText name, Endpoint e)
    {
        Span<char> text = stackalloc char[64];
        var n = 0;
        if (e.Address.IsV6)
        {
            text[n++] = '[';
        }

        e.Address.TryFormat(text[n..], out var written);
        n += written;
        if (e.Address.IsV6)
        {
            text[n++] = ']';
        }

        text[n++] = ':';
        e.Port.TryFormat(text[n..], out written, default, CultureInfo.InvariantCulture);
        n += written;
        w.WriteString(name, text[..n]);
    }

    private static void WriteTime(Utf8JsonWriter w, JsonEncodedText name, long ns)
    {
        Span<char> text = stackalloc char[40];
        var time = DateTime.UnixEpoch.AddTicks(ns / 100);
        time.TryFormat(text, out var n, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        w.WriteString(name, text[..n]);
    }

    internal static string Iso(long ns) =>
        DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks(ns / 100).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    internal static string VerdictName(Verdict v) => v switch
    {
        Verdict.Refused => "refused",
        Verdict.Unanswered => "unanswered",
        Verdict.Closed => "closed",
        Verdict.HalfClosed => "half-closed",
        Verdict.Reset => "reset",
        Verdict.Open => "open",
        _ => "midstream",
    };

    internal static string ConnStateName(ZeekConnState s) => s.ToString();

    private static void NullableString(Utf8JsonWriter w, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void NullableBool(Utf8JsonWriter w, JsonEncodedText name, bool? value)
    {
        if (value is { } b)
        {
            w.WriteBoolean(name, b);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
