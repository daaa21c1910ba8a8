using System.IO.Compression;
using Linger.Tests.Wire.Support;
using Linger.Wire;
using Linger.Wire.Files;

namespace Linger.Tests.Wire;

/// <summary>Opening captures: format by content, gzip, truncated files, things that are not captures, bounded memory.</summary>
public sealed class CaptureFileTests : IDisposable
{
    private static readonly HandMadePcap.Record[] Records =
    [
        new(1_700_000_000, 10, new byte[50], 50),
        new(1_700_000_001, 20, new byte[70], 70),
        new(1_700_000_002, 30, new byte[90], 90),
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("linger-capture-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_format_is_told_by_content_not_by_the_file_name()
    {
        var pcapNamedPcapng = Path.Combine(_dir, "looks-like.pcapng");
        var pcapngNamedTxt = Path.Combine(_dir, "notes.txt");
        File.WriteAllBytes(pcapNamedPcapng, HandMadePcap.File(false, false, 1, Records));
        File.WriteAllBytes(pcapngNamedTxt, new HandMadePcapNg().Section(true).Interface(101).Enhanced(0, 5, [0x45]).ToArray());

        using var pcap = CaptureFile.Open(pcapNamedPcapng);
        using var pcapng = CaptureFile.Open(pcapngNamedTxt);

        Assert.Equal(3, CapturedFrame.ReadAll(pcap).Count);
        Assert.Equal(LinkType.Raw, Assert.Single(CapturedFrame.ReadAll(pcapng)).LinkType);
    }

    [Fact]
    public void A_gzip_compressed_capture_is_read_as_if_it_were_not_compressed()
    {
        var plain = new HandMadePcapNg().Section(false).Interface(1, tsresol: 9).Enhanced(0, 1, [1, 2, 3]).Enhanced(0, 2, [4, 5]).ToArray();
        var gz = Path.Combine(_dir, "capture.pcapng.gz");
        File.WriteAllBytes(gz, Gzip(plain));

        using var source = CaptureFile.Open(gz);
        var frames = CapturedFrame.ReadAll(source);

        Assert.Equal(CapturedFrame.ReadAll(plain), frames);
    }

    [Fact]
    public void A_gzip_compressed_capture_is_read_from_a_stream_that_cannot_seek()
    {
        var plain = HandMadePcap.File(true, true, 1, Records);

        using var source = CaptureFile.Open(new ForwardOnlyStream(Gzip(plain)), "stdin");
        var frames = CapturedFrame.ReadAll(source);

        Assert.Equal(CapturedFrame.ReadAll(plain), frames);
    }

    [Fact]
    public void File_offsets_in_a_gzip_file_are_offsets_in_the_decompressed_capture()
    {
        var plain = HandMadePcap.File(false, false, 1, Records);

        var frames = CapturedFrame.ReadAll(Gzip(plain));

        Assert.Equal([24L, 24 + 16 + 50, 24 + 16 + 50 + 16 + 70], frames.Select(f => f.FileOffset));
    }

    [Fact]
    public void Damaged_gzip_data_is_a_capture_format_error_not_a_crash()
    {
        var gz = Gzip(HandMadePcap.File(false, false, 1, Records));
        for (var i = 20; i < gz.Length - 8; i++)
        {
            gz[i] = 0xFF;
        }

        var ex = Assert.Throws<CaptureFormatException>(() => CapturedFrame.ReadAll(gz));

        Assert.Contains("compressed data is damaged", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10)] // inside the last record's header
    [InlineData(16 + 40)] // inside the last record's data
    public void A_truncated_last_pcap_record_keeps_the_whole_records_and_warns(int keptOfLast)
    {
        var whole = HandMadePcap.File(false, false, 1, Records);
        var last = whole.Length - 16 - 90;
        var cut = whole[..(last + keptOfLast)];

        var frames = CapturedFrame.ReadAll(cut, out var warnings);

        Assert.Equal(2, frames.Count);
        var needed = keptOfLast < 16 ? 16 : 16 + 90;
        Assert.Equal(
            [$"truncated last record at offset {last}: {keptOfLast} of {needed} bytes present; the file was probably cut short while being written"],
            warnings);
    }

    [Fact]
    public void A_truncated_last_pcapng_block_keeps_the_whole_blocks_and_warns()
    {
        var file = new HandMadePcapNg().Section(false).Interface(1).Enhanced(0, 1, new byte[40]).Enhanced(0, 2, new byte[40]);
        var bytes = file.ToArray();
        var last = file.BlockOffsets[^1];
        var lastLength = bytes.Length - last;

        var frames = CapturedFrame.ReadAll(bytes[..(bytes.Length - 7)], out var warnings);

        Assert.Single(frames);
        Assert.Equal(
            [$"truncated last record at offset {last}: {lastLength - 7} of {lastLength} bytes present; the file was probably cut short while being written"],
            warnings);
    }

    [Fact]
    public void A_truncated_gzip_capture_keeps_the_whole_records_that_decompress_and_warns()
    {
        var plain = HandMadePcap.File(false, false, 1, Enumerable.Range(0, 2000).Select(i => new HandMadePcap.Record(1, (uint)i, new byte[61], 61)));
        var gz = Gzip(plain);

        var frames = CapturedFrame.ReadAll(gz[..(gz.Length / 2)], out var warnings);

        Assert.InRange(frames.Count, 1, 1999);
        Assert.Equal(CapturedFrame.ReadAll(plain)[..frames.Count], frames);
        Assert.StartsWith("truncated last record at offset", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_capture_is_an_error_showing_its_first_bytes()
    {
        var html = Path.Combine(_dir, "page.pcap");
        File.WriteAllText(html, "<html><body>not a capture</body></html>");

        var ex = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open(html));

        Assert.Equal(html, ex.Path);
        Assert.Equal(0, ex.Offset);
        Assert.Contains("not a pcap or pcapng file: the first bytes are 3C 68 74 6D (\"<htm\")", ex.Message, StringComparison.Ordinal);
        Assert.Contains("editcap", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_is_an_error_saying_so()
    {
        var ex = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open(new MemoryStream(), "empty.pcap"));

        Assert.Contains("the file is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_an_IO_error()
    {
        Assert.Throws<FileNotFoundException>(() => CaptureFile.Open(Path.Combine(_dir, "missing.pcap")));
    }

    [Fact]
    public void Memory_stays_bounded_however_long_the_capture()
    {
        // 64 MiB of pcap generated on the fly and never held whole anywhere.
        const int records = 64 * 1024 * 1024 / (16 + 1008);
        using var stream = new GeneratedPcapStream(records, 1008);
        using var source = CaptureFile.Open(stream, "generated");
        Assert.True(source.TryReadFrame(out _));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = 1;
        while (source.TryReadFrame(out var frame))
        {
            count++;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(records, count);
        Assert.True(allocated < 64 * 1024, $"reading 64 MiB allocated {allocated} bytes");
    }

    private static byte[] Gzip(byte[] plain)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(plain);
        }

        return output.ToArray();
    }

    /// <summary>A stream like standard input: forward only, no length, no seeking.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }

    /// <summary>A pcap file of <c>records</c> identical records, produced as it is read.</summary>
    private sealed class GeneratedPcapStream(int records, int recordData) : Stream
    {
        private readonly byte[] _record = [.. BitConverter.GetBytes(1_700_000_000u), 0, 0, 0, 0, .. BitConverter.GetBytes(recordData), .. BitConverter.GetBytes(recordData), .. new byte[recordData]];
        private readonly byte[] _header = HandMadePcap.File(false, false, 1, []);
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var total = _header.Length + ((long)records * _record.Length);
            var n = 0;
            while (n < buffer.Length && _position < total)
            {
                var (source, at) = _position < _header.Length
                    ? (_header, (int)_position)
                    : (_record, (int)((_position - _header.Length) % _record.Length));
                var chunk = Math.Min(buffer.Length - n, source.Length - at);
                source.AsSpan(at, chunk).CopyTo(buffer[n..]);
                n += chunk;
                _position += chunk;
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
