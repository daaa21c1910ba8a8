using System.Globalization;
using Linger.Flows;
using Linger.Knowledge;

namespace Linger.Cli.Analyze;

/// <summary>
/// One JSON object per conversation, one per line (JSON Lines). The fields are documented in README.md
/// ("linger analyze --format jsonl") and keep their meaning across versions; new fields may be added.
/// </summary>
internal sealed class JsonLinesWriter(Stream output) : IConversationWriter, IDisposable
{
    private static readonly byte[][] ConnStateText = [.. Enum.GetValues<ZeekConnState>().Select(v => System.Text.Encoding.ASCII.GetBytes(v.ToString()))];
    private static readonly byte[][] VerdictText = [.. Enum.GetValues<Verdict>().Select(v => System.Text.Encoding.ASCII.GetBytes(VerdictName(v)))];
    private readonly Utf8Line _line = new();

    public void Begin(DateTimeOffset opened)
    {
    }

    public void Write(ConversationSummary c)
    {
        var w = _line;
        w.Clear();
        w.StartObject();
        Endpoint(w, "client"u8, c.Client);
        Endpoint(w, "server"u8, c.Server);
        w.Bool("client_is_guess"u8, c.ClientIsGuess);
        Time(w, "start"u8, c.StartNs);
        Time(w, "end"u8, c.EndNs);
        w.Number("duration_s"u8, Math.Round((c.EndNs - c.StartNs) / 1e9, 6));
        w.Number("packets"u8, c.Packets);
        w.Number("packets_client"u8, c.PacketsClient);
        w.Number("packets_server"u8, c.PacketsServer);
        w.Number("bytes_client"u8, c.BytesClient);
        w.Number("bytes_server"u8, c.BytesServer);
        w.Ascii("conn_state"u8, ConnStateText[(int)c.ConnState]);
        w.String("history"u8, c.History);
        w.Ascii("verdict"u8, VerdictText[(int)c.Verdict]);
        switch (c.ResetBy)
        {
            case Side.Client:
                w.Ascii("reset_by"u8, "client"u8);
                break;
            case Side.Server:
                w.Ascii("reset_by"u8, "server"u8);
                break;
            default:
                w.Null("reset_by"u8);
                break;
        }

        NullableBool(w, "after_fin"u8, c.AfterFin);
        NullableBool(w, "in_reply_to_data"u8, c.InReplyToData);
        if (c.IdleBeforeSeconds is { } idle)
        {
            w.Number("idle_before_s"u8, Math.Round(idle, 6));
        }
        else
        {
            w.Null("idle_before_s"u8);
        }

        w.Bool("suspected_injection"u8, c.SuspectedInjection);
        w.StartArray("injection_reasons"u8);
        foreach (var r in c.InjectionReasons)
        {
            w.StringValue(r);
        }

        w.EndArray();
        LikelyErrors(w, c);
        w.StartObject("flags"u8);
        w.Number("retransmissions"u8, c.Counts.Retransmissions);
        w.Number("fast_retransmissions"u8, c.Counts.FastRetransmissions);
        w.Number("duplicate_acks"u8, c.Counts.DuplicateAcks);
        w.Number("zero_windows"u8, c.Counts.ZeroWindows);
        w.Number("window_full"u8, c.Counts.WindowFull);
        w.Number("keep_alives"u8, c.Counts.KeepAlives);
        w.Number("out_of_order"u8, c.Counts.OutOfOrder);
        w.EndObject();
        w.Number("first_frame"u8, c.FirstFrame);
        if (c.ResetFrame >= 0)
        {
            w.Number("reset_frame"u8, c.ResetFrame);
        }
        else
        {
            w.Null("reset_frame"u8);
        }

        w.EndObject();
        w.NewLine();
        output.Write(w.Written);
    }

    public void End(DateTimeOffset closed) => output.Flush();

    public void Dispose()
    {
    }

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

    // Per side, per platform, what the application most likely saw, as knowledge-base entries.
    private static void LikelyErrors(Utf8Line w, ConversationSummary c)
    {
        w.StartObject("likely_errors"u8);
        foreach (var side in (ReadOnlySpan<Side>)[Side.Client, Side.Server])
        {
            if (!c.LikelyErrors.TryGetValue(side, out var errors) || errors.Count == 0)
            {
                continue;
            }

            w.StartObject(side == Side.Client ? "client"u8 : "server"u8);
            foreach (var e in errors)
            {
                w.StartObject(PlatformKey(e));
                w.String("id"u8, e.EntryId);
                w.String("name"u8, e.DisplayName);
                w.Ascii("call"u8, e.Call switch
                {
                    FailingCall.Connect => "connect"u8,
                    FailingCall.Send => "send"u8,
                    _ => "send_or_receive"u8,
                });
                w.EndObject();
            }

            w.EndObject();
        }

        w.EndObject();
    }

    private static ReadOnlySpan<byte> PlatformKey(LikelyError e) => (e.Domain == KnowledgeDomain.DotNet, e.Platform) switch
    {
        (false, OsPlatform.Linux) => "linux"u8,
        (false, OsPlatform.Windows) => "windows"u8,
        (false, OsPlatform.MacOS) => "macos"u8,
        (true, OsPlatform.Linux) => "dotnet_linux"u8,
        (true, OsPlatform.Windows) => "dotnet_windows"u8,
        (true, OsPlatform.MacOS) => "dotnet_macos"u8,
        _ => "any"u8,
    };

    private static void NullableBool(Utf8Line w, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is { } b)
        {
            w.Bool(name, b);
        }
        else
        {
            w.Null(name);
        }
    }

    // Endpoints and times are formatted on the stack: no string per conversation.
    private static void Endpoint(Utf8Line w, ReadOnlySpan<byte> name, Endpoint e)
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
        w.String(name, text[..n]);
    }

    private static void Time(Utf8Line w, ReadOnlySpan<byte> name, long ns)
    {
        Span<char> text = stackalloc char[40];
        var time = DateTime.UnixEpoch.AddTicks(ns / 100);
        time.TryFormat(text, out var n, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        w.String(name, text[..n]);
    }
}
