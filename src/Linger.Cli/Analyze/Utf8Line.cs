using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;

namespace Linger.Cli.Analyze;

/// <summary>
/// A tiny UTF-8 JSON emitter for one flat line at a time: the JSON Lines writer runs once per conversation, often
/// hundreds of thousands of times, so it writes bytes directly (no string per field, no general-purpose writer).
/// Strings are escaped as JSON requires (quote, backslash, control characters); other characters pass through as
/// UTF-8.
/// </summary>
internal sealed class Utf8Line
{
    private byte[] _buffer = new byte[4096];
    private int _length;
    private bool _needComma;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Clear()
    {
        _length = 0;
        _needComma = false;
    }

    public void StartObject()
    {
        Separator();
        Byte((byte)'{');
        _needComma = false;
    }

    public void StartObject(ReadOnlySpan<byte> name)
    {
        Name(name);
        Byte((byte)'{');
        _needComma = false;
    }

    public void EndObject()
    {
        Byte((byte)'}');
        _needComma = true;
    }

    public void StartArray(ReadOnlySpan<byte> name)
    {
        Name(name);
        Byte((byte)'[');
        _needComma = false;
    }

    public void EndArray()
    {
        Byte((byte)']');
        _needComma = true;
    }

    public void Null(ReadOnlySpan<byte> name)
    {
        Name(name);
        Raw("null"u8);
        _needComma = true;
    }

    public void Bool(ReadOnlySpan<byte> name, bool value)
    {
        Name(name);
        Raw(value ? "true"u8 : "false"u8);
        _needComma = true;
    }

    public void Number(ReadOnlySpan<byte> name, long value)
    {
        Name(name);
        Ensure(24);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out var n);
        _length += n;
        _needComma = true;
    }

    public void Number(ReadOnlySpan<byte> name, double value)
    {
        Name(name);
        Ensure(32);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out var n);
        _length += n;
        _needComma = true;
    }

    public void String(ReadOnlySpan<byte> name, ReadOnlySpan<char> value)
    {
        Name(name);
        StringValue(value);
    }

    /// <summary>A string whose bytes are known to need no escaping (field values from fixed tables).</summary>
    public void Ascii(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Name(name);
        Byte((byte)'"');
        Raw(value);
        Byte((byte)'"');
        _needComma = true;
    }

    public void StringValue(ReadOnlySpan<char> value)
    {
        Separator();
        Ensure(MaxQuoted(value.Length));
        _length += WriteQuoted(value, _buffer.AsSpan(_length));
        _needComma = true;
    }

    /// <summary>The most bytes <see cref="WriteQuoted"/> writes for a string of this many characters.</summary>
    public static int MaxQuoted(int chars) => (chars * 6) + 2;

    /// <summary>
    /// Writes a JSON string (quotes included) into <paramref name="destination"/>, which holds at least
    /// <see cref="MaxQuoted"/> bytes; returns the bytes written.
    /// </summary>
    [MethodImpl(Compile.Hot)]
    public static int WriteQuoted(ReadOnlySpan<char> value, Span<byte> destination)
    {
        var n = 0;
        destination[n++] = (byte)'"';
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '"' or '\\')
            {
                destination[n++] = (byte)'\\';
                destination[n++] = (byte)c;
            }
            else if (c < 0x20)
            {
                n += Encoding.ASCII.GetBytes($"\\u{(int)c:x4}", destination[n..]);
            }
            else if (c < 0x80)
            {
                destination[n++] = (byte)c;
            }
            else
            {
                // Non-ASCII: one character (or a surrogate pair) at a time, as UTF-8.
                var width = char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1;
                n += Encoding.UTF8.GetBytes(value.Slice(i, width), destination[n..]);
                i += width - 1;
            }
        }

        destination[n++] = (byte)'"';
        return n;
    }

    public void NewLine() => Byte((byte)'\n');

    private void Name(ReadOnlySpan<byte> name)
    {
        Separator();
        Ensure(name.Length + 3);
        _buffer[_length++] = (byte)'"';
        name.CopyTo(_buffer.AsSpan(_length));
        _length += name.Length;
        _buffer[_length++] = (byte)'"';
        _buffer[_length++] = (byte)':';
    }

    private void Separator()
    {
        if (_needComma)
        {
            Byte((byte)',');
            _needComma = false;
        }
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Byte(byte b)
    {
        Ensure(1);
        _buffer[_length++] = b;
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}
