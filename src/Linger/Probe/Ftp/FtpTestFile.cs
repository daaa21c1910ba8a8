using System.Globalization;

namespace Linger.Probe.Ftp;

/// <summary>
/// The content of the test file, computed from each byte's position and a per-run seed, so the probe can send and
/// check any size without holding the file in memory, and a server that hands back another file (or an older copy)
/// is caught at the first wrong byte.
/// </summary>
internal sealed class FtpTestFile(long size, uint seed)
{
    /// <summary>The file's length in bytes.</summary>
    public long Size { get; } = size;

    /// <summary>The seed its bytes are computed from.</summary>
    public uint Seed { get; } = seed;

    /// <summary>
    /// The name it is stored under: <c>linger-probe-PID-SEED.bin</c>. The seed in the name makes a copy left on a
    /// server (a failed DELE) checkable against what was sent.
    /// </summary>
    public string NameFor(int processId) => string.Create(CultureInfo.InvariantCulture, $"linger-probe-{processId}-{Seed:x8}.bin");

    /// <summary>Writes the bytes at <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    public void Fill(long offset, Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = ByteAt(offset + i);
        }
    }

    /// <summary>The index in <paramref name="data"/> of the first byte that differs from the file at
    /// <paramref name="offset"/>, or -1 when they all match.</summary>
    public int FirstMismatch(long offset, ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] != ByteAt(offset + i))
            {
                return i;
            }
        }

        return -1;
    }

    private byte ByteAt(long position)
    {
        // A multiplicative hash of the position: no period a transfer could hide a shifted or repeated block in.
        var x = (ulong)position * 0x9E3779B97F4A7C15UL ^ Seed;
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9UL;
        return (byte)(x >> 56);
    }
}
