namespace Linger.Wire.Files.Internal;

/// <summary>
/// Turns a pcapng interface's timestamp units (if_tsresol: a negative power of 10 or of 2) and its if_tsoffset
/// (seconds) into Unix-epoch nanoseconds. Precomputed per interface so each packet costs one multiply, divide or
/// shift.
/// </summary>
internal readonly struct TimestampScale
{
    private const ulong NanosecondsPerSecond = 1_000_000_000;

    private readonly ulong _multiplier;
    private readonly ulong _divisor;
    private readonly int _binaryShift;
    private readonly long _offsetNs;

    private TimestampScale(ulong multiplier, ulong divisor, int binaryShift, long offsetNs)
    {
        _multiplier = multiplier;
        _divisor = divisor;
        _binaryShift = binaryShift;
        _offsetNs = offsetNs;
    }

    /// <summary>The default when an interface has no if_tsresol: microseconds.</summary>
    public static TimestampScale Microseconds => new(1000, 1, -1, 0);

    /// <summary>
    /// The scale for an if_tsresol byte; null when the resolution is finer than 64-bit arithmetic can hold
    /// (10^-20 and beyond, 2^-64 and beyond), which no real capture uses.
    /// </summary>
    public static TimestampScale? FromResolution(byte tsresol, long offsetSeconds)
    {
        var exponent = tsresol & 0x7F;
        var offsetNs = unchecked(offsetSeconds * (long)NanosecondsPerSecond);
        if ((tsresol & 0x80) != 0)
        {
            return exponent < 64 ? new TimestampScale(0, 0, exponent, offsetNs) : null;
        }

        if (exponent > 19)
        {
            return null;
        }

        return exponent <= 9
            ? new TimestampScale(Pow10(9 - exponent), 1, -1, offsetNs)
            : new TimestampScale(1, Pow10(exponent - 9), -1, offsetNs);
    }

    /// <summary>The same scale with another if_tsoffset.</summary>
    public TimestampScale WithOffset(long offsetSeconds) =>
        new(_multiplier, _divisor, _binaryShift, unchecked(offsetSeconds * (long)NanosecondsPerSecond));

    /// <summary>Nanoseconds since the Unix epoch for a timestamp in this interface's units.</summary>
    public long ToNanoseconds(ulong ticks)
    {
        ulong ns;
        if (_binaryShift < 0)
        {
            ns = _divisor == 1 ? unchecked(ticks * _multiplier) : ticks / _divisor;
        }
        else
        {
            // ticks * 10^9 / 2^shift in 128 bits: ticks of 2^-k seconds overflow 64 bits when multiplied first.
            var high = Math.BigMul(ticks, NanosecondsPerSecond, out var low);
            ns = _binaryShift == 0 ? low : (low >> _binaryShift) | (high << (64 - _binaryShift));
        }

        return unchecked((long)ns + _offsetNs);
    }

    private static ulong Pow10(int exponent)
    {
        ulong value = 1;
        for (var i = 0; i < exponent; i++)
        {
            value *= 10;
        }

        return value;
    }
}
