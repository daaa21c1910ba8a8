using System.Buffers;

namespace Linger.Wire.Files.Internal;

/// <summary>
/// A forward-only window over a capture stream, in one pooled buffer. Readers ask for the next N bytes
/// (<see cref="Ensure"/>), look at them in place and step over them, so records are never copied. The buffer grows
/// only when it is full of real data, so a length field that lies cannot make us allocate more than about twice
/// what the stream actually holds.
/// </summary>
internal sealed class CaptureInput : IDisposable
{
    /// <summary>No record of any capture format may be longer than this; longer means the length field is damaged.</summary>
    public const int MaxRecordLength = 256 * 1024 * 1024;

    private const int InitialBufferSize = 1024 * 1024;

    // Above this the buffer is allocated directly and dropped on dispose, so one huge record in one file does not
    // leave a giant array parked in the shared pool.
    private const int MaxPooledBufferSize = 16 * 1024 * 1024;

    private const int MaxWarnings = 100;

    private readonly Stream _stream;
    private readonly List<string> _warnings = [];
    private byte[] _buffer;
    private bool _bufferIsPooled = true;
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _disposed;

    public CaptureInput(Stream stream, string path, ReadOnlySpan<byte> alreadyRead)
    {
        _stream = stream;
        Path = path;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        alreadyRead.CopyTo(_buffer);
        _end = alreadyRead.Length;
    }

    /// <summary>The name used in messages: the file path or the caller's display name.</summary>
    public string Path { get; }

    /// <summary>Offset in the (decompressed) stream of the next unconsumed byte.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>Bytes buffered and not yet consumed.</summary>
    public int Available => _end - _start;

    /// <summary>Problems that were survived, in order (at most a hundred, then one line saying more were dropped).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>
    /// Makes <paramref name="count"/> bytes available from <see cref="Position"/>; false when the stream ends first
    /// (then <see cref="Available"/> says how many there are). <paramref name="count"/> must already be validated
    /// against <see cref="MaxRecordLength"/>.
    /// </summary>
    public bool Ensure(int count) => _end - _start >= count || Fill(count);

    /// <summary>The next <paramref name="count"/> bytes, which <see cref="Ensure"/> has made available.</summary>
    public ReadOnlySpan<byte> Peek(int count) => new(_buffer, _start, count);

    /// <summary>Steps over bytes that <see cref="Ensure"/> has made available.</summary>
    public void Advance(int count) => _start += count;

    /// <summary>Steps over everything buffered; used when the input ends in a truncated record.</summary>
    public void AdvanceToEnd() => _start = _end;

    /// <summary>Records a survived problem, keeping the list bounded.</summary>
    public void Warn(string message)
    {
        if (_warnings.Count < MaxWarnings)
        {
            _warnings.Add(message);
        }
        else if (_warnings.Count == MaxWarnings)
        {
            _warnings.Add("further warnings were dropped");
        }
    }

    /// <summary>A malformed-input exception for this input.</summary>
    public CaptureFormatException Error(long offset, string message) => new(Path, offset, message);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReturnBuffer(_buffer);
        _buffer = [];
        _stream.Dispose();
    }

    private bool Fill(int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (_end - _start < count)
        {
            if (_end == _buffer.Length)
            {
                if (_start > 0)
                {
                    Compact();
                }
                else
                {
                    Grow(count);
                }
            }

            var read = Read(_buffer.AsSpan(_end));
            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }

    private void Compact()
    {
        var kept = _end - _start;
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, kept);
        _bufferOffset += _start;
        _start = 0;
        _end = kept;
    }

    private void Grow(int count)
    {
        // Double at most: the new space is only ever filled by bytes that really arrive.
        var size = (int)Math.Min((long)_buffer.Length * 2, Math.Max(count, _buffer.Length + 1));
        byte[] bigger;
        bool pooled;
        if (size <= MaxPooledBufferSize)
        {
            bigger = ArrayPool<byte>.Shared.Rent(size);
            pooled = true;
        }
        else
        {
            bigger = GC.AllocateUninitializedArray<byte>(size);
            pooled = false;
        }

        Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
        ReturnBuffer(_buffer);
        _bufferOffset += _start;
        _end -= _start;
        _start = 0;
        _buffer = bigger;
        _bufferIsPooled = pooled;
    }

    private void ReturnBuffer(byte[] buffer)
    {
        if (_bufferIsPooled && buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int Read(Span<byte> destination)
    {
        try
        {
            return _stream.Read(destination);
        }
        catch (InvalidDataException ex)
        {
            // GZipStream's way of saying the compressed data is damaged.
            throw new CaptureFormatException(
                Path,
                _bufferOffset + _end,
                $"the compressed data is damaged ({ex.Message}) after {_bufferOffset + _end} decompressed bytes; " +
                "check it with `gzip -t`; `zcat FILE > FILE.pcap` recovers what can be decompressed");
        }
    }
}
