namespace Linger.Wire;

/// <summary>
/// One captured frame as a source hands it out: valid only until the source's next read (the bytes live in the
/// source's buffer), so nothing is copied per packet.
/// </summary>
public readonly ref struct Frame
{
    /// <summary>Creates a frame view.</summary>
    public Frame(LinkType linkType, long timestampNs, int originalLength, ReadOnlySpan<byte> data, int interfaceId, long fileOffset)
    {
        LinkType = linkType;
        TimestampNs = timestampNs;
        OriginalLength = originalLength;
        Data = data;
        InterfaceId = interfaceId;
        FileOffset = fileOffset;
    }

    /// <summary>The link-layer header type of <see cref="Data"/>.</summary>
    public LinkType LinkType { get; }

    /// <summary>Capture time, nanoseconds since the Unix epoch (UTC), after the interface's resolution and offset.</summary>
    public long TimestampNs { get; }

    /// <summary>Length of the frame on the wire (may exceed <see cref="Data"/>'s length when the snap length cut it).</summary>
    public int OriginalLength { get; }

    /// <summary>The captured bytes, starting with the link-layer header.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The pcapng interface the frame was captured on (0 for classic pcap and live capture).</summary>
    public int InterfaceId { get; }

    /// <summary>Offset of the frame's record in the file (−1 for live capture), for error messages and evidence.</summary>
    public long FileOffset { get; }
}

/// <summary>Anything that yields frames: a pcap or pcapng file, a live AF_PACKET socket.</summary>
public interface IFrameSource : IDisposable
{
    /// <summary>Reads the next frame; false at the end. The frame is valid until the next call.</summary>
    /// <exception cref="CaptureFormatException">The input is malformed beyond recovery; the message names the offset.</exception>
    bool TryReadFrame(out Frame frame);

    /// <summary>Problems that were survived (a truncated last record, an unknown block skipped), in order.</summary>
    IReadOnlyList<string> Warnings { get; }
}

/// <summary>A capture that cannot be read; the message says what is wrong, where, and what to do.</summary>
public sealed class CaptureFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CaptureFormatException(string path, long offset, string message)
        : base($"{path}: at byte offset {offset}: {message}")
    {
        Path = path;
        Offset = offset;
    }

    /// <summary>Creates the exception.</summary>
    public CaptureFormatException()
        : this("(capture)", 0, "malformed capture")
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaptureFormatException(string message)
        : this("(capture)", 0, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaptureFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = "(capture)";
    }

    /// <summary>The file that could not be read.</summary>
    public string Path { get; } = "(capture)";

    /// <summary>The byte offset in the file where the problem is.</summary>
    public long Offset { get; }
}
