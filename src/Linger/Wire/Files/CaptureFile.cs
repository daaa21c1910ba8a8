using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Linger.Wire.Files.Internal;

namespace Linger.Wire.Files;

/// <summary>
/// Opens capture files: classic pcap (microsecond or nanosecond, either byte order) and pcapng, optionally
/// gzip-compressed. The format is told by the first bytes, never by the file name. Files are streamed through one
/// pooled buffer, so memory stays bounded whatever the file size.
/// </summary>
public static class CaptureFile
{
    private const uint PcapMicroseconds = 0xA1B2C3D4;
    private const uint PcapNanoseconds = 0xA1B23C4D;

    // Alexey Kuznetzov's patched libpcap format: recognised only to name it in the error.
    private const uint PcapKuznetzov = 0xA1B2CD34;

    /// <summary>Opens a capture file for reading; the returned source owns the file.</summary>
    /// <param name="path">A pcap or pcapng file, optionally gzip-compressed.</param>
    /// <exception cref="CaptureFormatException">The file is not a capture Linger can read; the message says why.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static IFrameSource Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // Sequential reads straight into our own buffer: FileStream's buffer would only add a copy.
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            Options = FileOptions.SequentialScan,
        });
        return Open(stream, path);
    }

    /// <summary>Reads a capture from any readable stream (a file, standard input, memory); the source owns the stream.</summary>
    /// <param name="stream">The capture's bytes from the start; need not be seekable.</param>
    /// <param name="displayName">The name used in messages and errors, for example "stdin".</param>
    /// <exception cref="CaptureFormatException">The bytes are not a capture Linger can read; the message says why.</exception>
    public static IFrameSource Open(Stream stream, string displayName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        CaptureInput? input = null;
        try
        {
            Span<byte> head = stackalloc byte[4];
            var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            head = head[..read];
            var compressed = read >= 2 && head[0] == 0x1F && head[1] == 0x8B;
            input = compressed
                ? new CaptureInput(new GZipStream(new PrefixedStream(head.ToArray(), stream), CompressionMode.Decompress), displayName, [])
                : new CaptureInput(stream, displayName, head);
            return OpenUncompressed(input, compressed);
        }
        catch
        {
            if (input is null)
            {
                stream.Dispose();
            }
            else
            {
                input.Dispose();
            }

            throw;
        }
    }

    private static IFrameSource OpenUncompressed(CaptureInput input, bool compressed)
    {
        input.Ensure(4);
        var head = input.Peek(Math.Min(input.Available, 4));
        if (head.Length == 4)
        {
            var little = BinaryPrimitives.ReadUInt32LittleEndian(head);
            var big = BinaryPrimitives.ReadUInt32BigEndian(head);
            if (little == PcapNgReader.SectionHeaderType)
            {
                return PcapNgReader.Open(input);
            }

            if (little is PcapMicroseconds or PcapNanoseconds)
            {
                return PcapReader.Open(input, bigEndian: false, nanosecond: little == PcapNanoseconds);
            }

            if (big is PcapMicroseconds or PcapNanoseconds)
            {
                return PcapReader.Open(input, bigEndian: true, nanosecond: big == PcapNanoseconds);
            }

            if (little == PcapKuznetzov || big == PcapKuznetzov)
            {
                throw input.Error(
                    0,
                    "this is the 'modified pcap' format of Alexey Kuznetzov's patched libpcap, which Linger does not " +
                    "read; convert it with `editcap -F pcap IN OUT`");
            }
        }

        var what = compressed ? "the gzip-compressed file holds no pcap or pcapng capture" : "not a pcap or pcapng file";
        if (head.Length == 0)
        {
            throw input.Error(0, compressed ? $"{what}: it decompresses to nothing" : "the file is empty: not a pcap or pcapng file");
        }

        throw input.Error(
            0,
            $"{what}: the first bytes are {Describe(head)}. A pcap file starts with A1 B2 C3 D4 or A1 B2 3C 4D (in " +
            "either byte order), a pcapng file with 0A 0D 0D 0A. Give Linger a capture written by tcpdump, " +
            "Wireshark, dumpcap or `linger capture`; other formats can be converted with `editcap -F pcapng IN OUT`.");
    }

    private static string Describe(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            text.Append(b >= 0x20 && b < 0x7F ? (char)b : '.');
        }

        return $"{FileFormatText.Hex(bytes)} (\"{text}\")";
    }
}
