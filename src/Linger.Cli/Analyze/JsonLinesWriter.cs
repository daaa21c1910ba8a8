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
    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private Utf8JsonWriter? _writer;

    public void Begin(DateTimeOffset opened) => _writer = new Utf8JsonWriter(_buffer, Options);

    public void Write(ConversationSummary c)
    {
        var w = _writer ?? throw new InvalidOperationException("Begin was not called.");
        _buffer.ResetWrittenCount();
        w.Reset(_buffer);
        w.WriteStartObject();
        w.WriteString("client", c.Client.ToString());
        w.WriteString("server", c.Server.ToString());
        w.WriteBoolean("client_is_guess", c.ClientIsGuess);
        w.WriteString("start", Iso(c.StartNs));
        w.WriteString("end", Iso(c.EndNs));
        w.WriteNumber("duration_s", Math.Round((c.EndNs - c.StartNs) / 1e9, 6));
        w.WriteNumber("packets", c.Packets);
        w.WriteNumber("packets_client", c.PacketsClient);
        w.WriteNumber("packets_server", c.PacketsServer);
        w.WriteNumber("bytes_client", c.BytesClient);
        w.WriteNumber("bytes_server", c.BytesServer);
        w.WriteString("conn_state", ConnStateName(c.ConnState));
        w.WriteString("history", c.History);
        w.WriteString("verdict", VerdictName(c.Verdict));
        NullableString(w, "reset_by", c.ResetBy switch { Side.Client => "client", Side.Server => "server", _ => null });
        NullableBool(w, "after_fin", c.AfterFin);
        NullableBool(w, "in_reply_to_data", c.InReplyToData);
        if (c.IdleBeforeSeconds is { } idle)
        {
            w.WriteNumber("idle_before_s", Math.Round(idle, 6));
        }
        else
        {
            w.WriteNull("idle_before_s");
        }

        w.WriteBoolean("suspected_injection", c.SuspectedInjection);
        w.WriteStartArray("injection_reasons");
        foreach (var r in c.InjectionReasons)
        {
            w.WriteStringValue(r);
        }

        w.WriteEndArray();
        LikelyErrorsJson.Write(w, c);
        w.WriteStartObject("flags");
        w.WriteNumber("retransmissions", c.Counts.Retransmissions);
        w.WriteNumber("fast_retransmissions", c.Counts.FastRetransmissions);
        w.WriteNumber("duplicate_acks", c.Counts.DuplicateAcks);
        w.WriteNumber("zero_windows", c.Counts.ZeroWindows);
        w.WriteNumber("window_full", c.Counts.WindowFull);
        w.WriteNumber("keep_alives", c.Counts.KeepAlives);
        w.WriteNumber("out_of_order", c.Counts.OutOfOrder);
        w.WriteEndObject();
        w.WriteNumber("first_frame", c.FirstFrame);
        if (c.ResetFrame >= 0)
        {
            w.WriteNumber("reset_frame", c.ResetFrame);
        }
        else
        {
            w.WriteNull("reset_frame");
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

    private static void NullableString(Utf8JsonWriter w, string name, string? value)
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

    private static void NullableBool(Utf8JsonWriter w, string name, bool? value)
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
