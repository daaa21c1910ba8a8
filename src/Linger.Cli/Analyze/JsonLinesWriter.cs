using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using Linger.Flows;
using Linger.Knowledge;

namespace Linger.Cli.Analyze;

/// <summary>
/// One JSON object per conversation, one per line (JSON Lines). The fields are documented in README.md
/// ("linger analyze --format jsonl") and keep their meaning across versions; new fields may be added.
/// </summary>
/// <remarks>
/// It runs once per conversation, often hundreds of thousands of times, so each line is written as bytes straight
/// into one buffer: the field names and punctuation as fixed byte strings, numbers and times by digit arithmetic,
/// the parts shared between conversations (the likely errors) once per shared object. Anything out of the common
/// range (negative numbers, times before 1970, doubles that need an exponent) goes through the general formatters,
/// so the output is the same as theirs in every case.
/// </remarks>
/// <param name="output">Where the lines go.</param>
/// <param name="batchLines">
/// True to hand the stream many lines at a time (a file or pipe read to the end); false to write every line as
/// soon as it is formatted (a live capture printing conversations as they end).
/// </param>
internal sealed class JsonLinesWriter(Stream output, bool batchLines = false) : IRowsInParallel, IDisposable
{
    private const int BatchBytes = 1 << 17;

    // Room for every fixed-size part of a line; strings of any length are made room for separately.
    private const int FixedLineBytes = 2048;

    private const int MaxCachedErrorSets = 16;

    private static readonly byte[][] ConnStateText = [.. Enum.GetValues<ZeekConnState>().Select(v => System.Text.Encoding.ASCII.GetBytes(v.ToString()))];
    private static readonly byte[][] VerdictText = [.. Enum.GetValues<Verdict>().Select(v => System.Text.Encoding.ASCII.GetBytes(VerdictName(v)))];

    private readonly List<ErrorSetBytes> _errorSets = [];
    private readonly SecondText _startSecond = new();
    private readonly SecondText _endSecond = new();
    private byte[] _buffer = new byte[BatchBytes + FixedLineBytes];
    private int _length;

    public void Begin(DateTimeOffset opened)
    {
    }

    [MethodImpl(Compile.Hot)]
    public void Write(ConversationSummary c)
    {
        Ensure(FixedLineBytes);
        Raw("{\"client\":"u8);
        Endpoint(c.Client);
        Raw(",\"server\":"u8);
        Endpoint(c.Server);
        Raw(c.ClientIsGuess ? ",\"client_is_guess\":true,\"start\":"u8 : ",\"client_is_guess\":false,\"start\":"u8);
        Time(c.StartNs, _startSecond);
        Raw(",\"end\":"u8);
        Time(c.EndNs, _endSecond);
        Raw(",\"duration_s\":"u8);
        Seconds(Math.Round((c.EndNs - c.StartNs) / 1e9, 6));
        Raw(",\"packets\":"u8);
        Number(c.Packets);
        Raw(",\"packets_client\":"u8);
        Number(c.PacketsClient);
        Raw(",\"packets_server\":"u8);
        Number(c.PacketsServer);
        Raw(",\"bytes_client\":"u8);
        Number(c.BytesClient);
        Raw(",\"bytes_server\":"u8);
        Number(c.BytesServer);
        Raw(",\"conn_state\":\""u8);
        Raw(ConnStateText[(int)c.ConnState]);
        Raw("\",\"history\":"u8);
        String(c.History);
        Raw(",\"verdict\":\""u8);
        Raw(VerdictText[(int)c.Verdict]);
        Raw(c.ResetBy switch
        {
            Side.Client => "\",\"reset_by\":\"client\",\"after_fin\":"u8,
            Side.Server => "\",\"reset_by\":\"server\",\"after_fin\":"u8,
            _ => "\",\"reset_by\":null,\"after_fin\":"u8,
        });
        NullableBool(c.AfterFin);
        Raw(",\"in_reply_to_data\":"u8);
        NullableBool(c.InReplyToData);
        Raw(",\"idle_before_s\":"u8);
        if (c.IdleBeforeSeconds is { } idle)
        {
            Seconds(Math.Round(idle, 6));
        }
        else
        {
            Raw("null"u8);
        }

        Raw(c.SuspectedInjection ? ",\"suspected_injection\":true,\"injection_reasons\":["u8 : ",\"suspected_injection\":false,\"injection_reasons\":["u8);
        InjectionReasons(c.InjectionReasons);
        Raw("],\"likely_errors\":"u8);
        LikelyErrors(c.LikelyErrors);
        Ensure(FixedLineBytes);
        var counts = c.Counts;
        Raw(",\"flags\":{\"retransmissions\":"u8);
        Number(counts.Retransmissions);
        Raw(",\"fast_retransmissions\":"u8);
        Number(counts.FastRetransmissions);
        Raw(",\"duplicate_acks\":"u8);
        Number(counts.DuplicateAcks);
        Raw(",\"zero_windows\":"u8);
        Number(counts.ZeroWindows);
        Raw(",\"window_full\":"u8);
        Number(counts.WindowFull);
        Raw(",\"keep_alives\":"u8);
        Number(counts.KeepAlives);
        Raw(",\"out_of_order\":"u8);
        Number(counts.OutOfOrder);
        Raw("},\"first_frame\":"u8);
        Number(c.FirstFrame);
        Raw(",\"reset_frame\":"u8);
        if (c.ResetFrame >= 0)
        {
            Number(c.ResetFrame);
        }
        else
        {
            Raw("null"u8);
        }

        Raw("}\n"u8);
        if (!batchLines || _length >= BatchBytes)
        {
            Drain();
        }
    }

    public void End(DateTimeOffset closed)
    {
        Drain();
        output.Flush();
    }

    public IRowsInParallel? CreateTwin(Stream sink) => batchLines ? new JsonLinesWriter(sink, batchLines: true) : null;

    public void FormatRow(ConversationSummary conversation) => Write(conversation); // a line counts nothing

    public void HandOver() => Drain();

    public void WriteFormatted(ReadOnlySpan<ConversationSummary> conversations, ReadOnlySpan<byte> rows)
    {
        Drain();
        output.Write(rows);
    }

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

    private static ReadOnlySpan<byte> CallText(FailingCall call) => call switch
    {
        FailingCall.Connect => "connect"u8,
        FailingCall.Send => "send"u8,
        _ => "send_or_receive"u8,
    };

    private static IReadOnlyList<LikelyError>? ErrorsOf(IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> all, Side side) =>
        all.TryGetValue(side, out var errors) && errors.Count > 0 ? errors : null;

    private void Drain()
    {
        output.Write(_buffer, 0, _length);
        _length = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Grow(more);
        }
    }

    private void Grow(int more)
    {
        Drain();
        if (more > _buffer.Length)
        {
            _buffer = new byte[more];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    [MethodImpl(Compile.Hot)]
    private void String(string value)
    {
        Ensure(Utf8Line.MaxQuoted(value.Length));
        _length += Utf8Line.WriteQuoted(value, _buffer.AsSpan(_length));
    }

    [MethodImpl(Compile.Hot)]
    private void NullableBool(bool? value) => Raw(value switch
    {
        true => "true"u8,
        false => "false"u8,
        null => "null"u8,
    });

    /// <summary>A whole number, as <see cref="Utf8Formatter"/> writes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Number(long value) => _length += AsciiText.Number(value, _buffer.AsSpan(_length));

    /// <summary>
    /// Seconds already rounded to microseconds, as <see cref="Utf8Formatter"/> writes the double (its shortest
    /// round-trip form). Between 1e-4 and 1e9 that form is the microseconds' decimal digits, trailing zeros dropped,
    /// whenever the double is the one nearest to that decimal (which the check below makes sure of).
    /// </summary>
    [MethodImpl(Compile.Hot)]
    private void Seconds(double rounded)
    {
        if (rounded == 0 && !double.IsNegative(rounded))
        {
            Raw("0"u8);
            return;
        }

        if (rounded is >= 1e-4 and < 1e9)
        {
            var micros = (long)Math.Round(rounded * 1e6);
            if (micros / 1e6 == rounded)
            {
                var whole = micros / 1_000_000;
                var fraction = (int)(micros - (whole * 1_000_000));
                _length += AsciiText.Digits((ulong)whole, _buffer.AsSpan(_length));
                if (fraction != 0)
                {
                    var digits = 6;
                    while (fraction % 10 == 0)
                    {
                        fraction /= 10;
                        digits--;
                    }

                    _buffer[_length++] = (byte)'.';
                    _length += AsciiText.PaddedDigits(fraction, digits, _buffer.AsSpan(_length));
                }

                return;
            }
        }

        Utf8Formatter.TryFormat(rounded, _buffer.AsSpan(_length), out var n);
        _length += n;
    }

    /// <summary>"yyyy-MM-ddTHH:mm:ss.ffffffZ" in quotes; the part up to the second is kept from the previous call.</summary>
    [MethodImpl(Compile.Hot)]
    private void Time(long ns, SecondText last)
    {
        if (ns < 0)
        {
            Span<char> text = stackalloc char[40];
            var time = DateTime.UnixEpoch.AddTicks(ns / 100);
            time.TryFormat(text, out var written, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            _length += Utf8Line.WriteQuoted(text[..written], _buffer.AsSpan(_length));
            return;
        }

        var ticks = ns / 100;
        var second = ticks / TimeSpan.TicksPerSecond;
        if (second != last.Second)
        {
            last.Set(second);
        }

        Raw(last.Text);
        var digits = _buffer.AsSpan(_length, 8);
        AsciiText.PaddedDigits((int)((ticks - (second * TimeSpan.TicksPerSecond)) / 10), 6, digits);
        digits[6] = (byte)'Z';
        digits[7] = (byte)'"';
        _length += 8;
    }

    [MethodImpl(Compile.Hot)]
    private void Endpoint(Endpoint e)
    {
        var d = _buffer.AsSpan(_length);
        d[0] = (byte)'"';
        var n = 1 + AsciiText.Endpoint(e, d[1..]);
        d[n++] = (byte)'"';
        _length += n;
    }

    [MethodImpl(Compile.Hot)]
    private void InjectionReasons(IReadOnlyList<string> reasons)
    {
        var count = reasons.Count;
        for (var i = 0; i < count; i++)
        {
            var r = reasons[i];
            Ensure(Utf8Line.MaxQuoted(r.Length) + 1);
            if (i > 0)
            {
                _buffer[_length++] = (byte)',';
            }

            _length += Utf8Line.WriteQuoted(r, _buffer.AsSpan(_length));
        }
    }

    // Per side, per platform, what the application most likely saw, as knowledge-base entries. Summaries share a
    // handful of these objects: each is formatted once and its bytes reused while it still holds the same errors.
    [MethodImpl(Compile.Hot)]
    private void LikelyErrors(IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> all)
    {
        var client = ErrorsOf(all, Side.Client);
        var server = ErrorsOf(all, Side.Server);
        foreach (var set in _errorSets)
        {
            if (ReferenceEquals(set.Source, all) && set.Holds(client, server))
            {
                Ensure(set.Bytes.Length);
                Raw(set.Bytes);
                return;
            }
        }

        var line = new Utf8Line();
        line.StartObject();
        foreach (var (side, errors) in (ReadOnlySpan<(Side, IReadOnlyList<LikelyError>?)>)[(Side.Client, client), (Side.Server, server)])
        {
            if (errors is null)
            {
                continue;
            }

            line.StartObject(side == Side.Client ? "client"u8 : "server"u8);
            for (var i = 0; i < errors.Count; i++)
            {
                var e = errors[i];
                line.StartObject(PlatformKey(e));
                line.String("id"u8, e.EntryId);
                line.String("name"u8, e.DisplayName);
                line.Ascii("call"u8, CallText(e.Call));
                line.EndObject();
            }

            line.EndObject();
        }

        line.EndObject();
        var bytes = line.Written.ToArray();
        if (_errorSets.Count < MaxCachedErrorSets)
        {
            _errorSets.Add(new ErrorSetBytes(all, client, server, bytes));
        }

        Ensure(bytes.Length);
        Raw(bytes);
    }

    /// <summary>
    /// The formatted bytes of one likely-errors object, with the lists and (immutable) errors it held then, so that
    /// a change to the object is noticed.
    /// </summary>
    private sealed class ErrorSetBytes(
        IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> source, IReadOnlyList<LikelyError>? client, IReadOnlyList<LikelyError>? server, byte[] bytes)
    {
        private readonly IReadOnlyList<LikelyError>? _client = client;
        private readonly LikelyError[] _clientErrors = client is null ? [] : [.. client];
        private readonly IReadOnlyList<LikelyError>? _server = server;
        private readonly LikelyError[] _serverErrors = server is null ? [] : [.. server];

        public IReadOnlyDictionary<Side, IReadOnlyList<LikelyError>> Source { get; } = source;

        public byte[] Bytes { get; } = bytes;

        public bool Holds(IReadOnlyList<LikelyError>? client, IReadOnlyList<LikelyError>? server) =>
            ReferenceEquals(client, _client) && ReferenceEquals(server, _server) && Same(client, _clientErrors) && Same(server, _serverErrors);

        [MethodImpl(Compile.Hot)]
        private static bool Same(IReadOnlyList<LikelyError>? now, LikelyError[] then)
        {
            if (now is null)
            {
                return true;
            }

            if (now.Count != then.Length)
            {
                return false;
            }

            for (var i = 0; i < then.Length; i++)
            {
                if (!ReferenceEquals(now[i], then[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The quoted text of one second, "\"yyyy-MM-ddTHH:mm:ss.", formatted by <see cref="DateTime"/>.</summary>
    private sealed class SecondText
    {
        private readonly byte[] _text = new byte[32];
        private int _length;

        public long Second { get; private set; } = -1;

        public ReadOnlySpan<byte> Text => _text.AsSpan(0, _length);

        [MethodImpl(Compile.Hot)]
        public void Set(long second)
        {
            Second = second;
            Span<char> text = stackalloc char[32];
            var time = DateTime.UnixEpoch.AddTicks(second * TimeSpan.TicksPerSecond);
            time.TryFormat(text, out var written, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
            _text[0] = (byte)'"';
            for (var i = 0; i < written; i++)
            {
                _text[i + 1] = (byte)text[i];
            }

            _text[written + 1] = (byte)'.';
            _length = written + 2;
        }
    }
}
