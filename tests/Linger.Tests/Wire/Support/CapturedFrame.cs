using Linger.Wire;
using Linger.Wire.Files;

namespace Linger.Tests.Wire.Support;

/// <summary>A frame copied out of a source's buffer, so tests can keep and compare it.</summary>
internal sealed record CapturedFrame(LinkType LinkType, long TimestampNs, int OriginalLength, byte[] Data, int InterfaceId, long FileOffset)
{
    /// <summary>Equal when every field and every captured byte are equal.</summary>
    public bool Equals(CapturedFrame? other) =>
        other is not null &&
        (LinkType, TimestampNs, OriginalLength, InterfaceId, FileOffset) ==
            (other.LinkType, other.TimestampNs, other.OriginalLength, other.InterfaceId, other.FileOffset) &&
        Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(LinkType, TimestampNs, OriginalLength, Data.Length, InterfaceId, FileOffset);

    public override string ToString() =>
        $"{LinkType} t={TimestampNs} len={OriginalLength} data={Convert.ToHexString(Data.AsSpan(0, Math.Min(Data.Length, 24)))}" +
        $"{(Data.Length > 24 ? "..." : "")} ({Data.Length} bytes) if={InterfaceId} at={FileOffset}";

    public static List<CapturedFrame> ReadAll(IFrameSource source)
    {
        var frames = new List<CapturedFrame>();
        while (source.TryReadFrame(out var f))
        {
            frames.Add(new CapturedFrame(f.LinkType, f.TimestampNs, f.OriginalLength, f.Data.ToArray(), f.InterfaceId, f.FileOffset));
        }

        return frames;
    }

    public static List<CapturedFrame> ReadAll(byte[] file, out IReadOnlyList<string> warnings)
    {
        using var source = CaptureFile.Open(new MemoryStream(file), "test.capture");
        var frames = ReadAll(source);
        warnings = source.Warnings;
        return frames;
    }

    public static List<CapturedFrame> ReadAll(byte[] file) => ReadAll(file, out _);
}
