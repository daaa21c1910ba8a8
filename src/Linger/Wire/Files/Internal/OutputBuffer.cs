using System.Buffers;

namespace Linger.Wire.Files.Internal;

/// <summary>
/// Collects small records in one pooled buffer and hands the stream large writes, so writing millions of packets
/// costs a few hundred stream calls, not millions.
/// </summary>
internal sealed class OutputBuffer : IDisposable
{
    private const int Size = 256 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Size);
    private int _used;

    public OutputBuffer(Stream stream, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Space for the next <paramref name="length"/> bytes, to be committed with <see cref="Commit"/>; null when they are too big for the buffer.</summary>
    public Span<byte> Reserve(int length)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        if (length > _buffer.Length)
        {
            Flush(toStream: false);
            return default;
        }

        if (_buffer.Length - _used < length)
        {
            Flush(toStream: false);
        }

        return _buffer.AsSpan(_used, length);
    }

    public void Commit(int length) => _used += length;

    /// <summary>Writes bytes that did not fit in the buffer straight to the stream (after what is buffered).</summary>
    public void WriteDirect(ReadOnlySpan<byte> bytes)
    {
        Flush(toStream: false);
        _stream.Write(bytes);
    }

    public void Flush(bool toStream)
    {
        if (_used > 0)
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
        }

        if (toStream)
        {
            _stream.Flush();
        }
    }

    public void Dispose()
    {
        if (_buffer.Length == 0)
        {
            return;
        }

        try
        {
            Flush(toStream: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }
}
